/**
 * Running one small parity case through maestro's engine in-process and reducing the answer to an
 * Outcome comparable with the real OPA's (`opa eval --format json`).
 */
import { compile, evaluateRaw, formatJson, RegoError } from '../../../../src/policy/rego/index.js';
import type { Outcome } from './opa.js';

export interface ParityCase {
  /** Issue 14 cause number (or another short tag). */
  cause: number | string;
  name: string;
  rego: string;
  query: string;
  input?: unknown;
  /** Builtin errors raised (maestro strict / opa --strict-builtin-errors). */
  strict?: boolean;
  /** Extra flags for opa (e.g. --v0-compatible for v0-only syntax maestro accepts anyway). */
  opaFlags?: string[];
  /** OPA's answer (verified with opa eval); for errors only the code is compared. */
  want: Outcome;
}

/** Maestro's outcome for a case. */
export function maestroOutcome(c: ParityCase): Outcome {
  try {
    const policy = compile([{ path: 'p.rego', text: c.rego }]);
    const { raw } = evaluateRaw(policy, c.query, { input: c.input, strict: c.strict === true });
    const first = raw[0];
    if (!first) return { defined: false };
    return { defined: true, value: JSON.parse(formatJson(first.expressions[0]!)) as unknown };
  } catch (e) {
    if (e instanceof RegoError) return { error: e.errors[0]!.code, message: e.errors[0]!.message };
    throw e;
  }
}

/** Comparable form: errors by code only. */
export function comparable(o: Outcome): unknown {
  return 'error' in o ? { error: o.error } : o;
}

/** OPA flags for a case. */
export function opaFlagsOf(c: ParityCase): string[] {
  return [...(c.strict ? ['--strict-builtin-errors'] : []), ...(c.opaFlags ?? [])];
}
