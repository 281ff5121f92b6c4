/**
 * The policy room's own errors (loading files, running tests, wasm bundles). Errors raised by the Rego
 * interpreter itself are `RegoError` (src/policy/rego); both print as `file:line:col: code: message`.
 */
import { EngineError, type EngineErrorOptions } from '../core/errors.js';

/** Where in a file a problem is (1-based row and column). */
export interface SourceLocation {
  file: string;
  row: number;
  col: number;
}

export interface PolicyErrorOptions extends EngineErrorOptions {
  location?: SourceLocation;
}

/**
 * A policy-room failure outside the interpreter: a missing path, a malformed data file, a data merge
 * conflict, a broken wasm bundle.
 * @example
 *   throw new PolicyError('POLICY_DATA_CONFLICT', 'data.a.b is defined by both x.json and y.json', { kind: 'usage' });
 */
export class PolicyError extends EngineError {
  readonly location: SourceLocation | undefined;
  /** The message without the `file:line:col: ` prefix (for output that carries the location apart). */
  readonly reason: string;

  constructor(code: string, message: string, options: PolicyErrorOptions = {}) {
    const loc = options.location;
    super(code, loc ? `${loc.file}:${loc.row}:${loc.col}: ${message}` : message, options);
    this.location = loc;
    this.reason = message;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), ...(this.location ? { location: this.location } : {}) };
  }
}
