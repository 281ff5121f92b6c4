/** Rego errors: one class, OPA's error codes, `file:row:col: code: message` text. */
import { EngineError } from '../../core/errors.js';

/** A position in a Rego source file (1-based row and column). */
export interface Location {
  file: string;
  row: number;
  col: number;
  text?: string;
}

/** One error found while parsing, compiling or evaluating. */
export interface RegoErrorItem {
  code: string;
  message: string;
  location?: Location;
}

const EVAL_CODES = new Set(['eval_conflict_error', 'eval_builtin_error', 'eval_limit_error', 'eval_type_error', 'eval_cancel_error']);

/** Format one error OPA-style. */
export function formatErrorItem(e: RegoErrorItem): string {
  const loc = e.location ? `${e.location.file}:${e.location.row}:${e.location.col}: ` : '';
  return `${loc}${e.code}: ${e.message}`;
}

/**
 * Error raised by the Rego engine. `errors` lists every problem found (compile errors are all
 * reported at once); `code` is the first error's OPA code in SCREAMING_SNAKE form.
 */
export class RegoError extends EngineError {
  readonly location: Location | undefined;
  readonly errors: RegoErrorItem[];

  constructor(errors: RegoErrorItem[]) {
    const first = errors[0] ?? { code: 'rego_compile_error', message: 'unknown error' };
    const msg = errors.length === 1 ? formatErrorItem(first) : `${errors.length} errors occurred:\n${errors.map(formatErrorItem).join('\n')}`;
    super(first.code.toUpperCase(), msg, {
      kind: EVAL_CODES.has(first.code) ? 'error' : 'usage',
      details: { errors: errors.map((e) => ({ ...e })) },
    });
    this.location = first.location;
    this.errors = errors;
  }
}

/** Shorthand for a single located error. */
export function regoError(code: string, message: string, location?: Location): RegoError {
  return new RegoError([{ code, message, location }]);
}
