/** Shared helpers for the Rego engine tests. */
import { compile, type EvalOptions, evaluate, evaluateValue, RegoError } from '../../../src/policy/rego/index.js';

/** Compile one module named m.rego. */
export function policy(text: string) {
  return compile([{ path: 'm.rego', text }]);
}

/** Value of `query` against one module (undefined when no result). */
export function value(text: string, query: string, opts: EvalOptions = {}): unknown {
  return evaluateValue(policy(text), query, opts);
}

/** All results of a query. */
export function results(text: string, query: string, opts: EvalOptions = {}) {
  return evaluate(policy(text), query, opts).results;
}

/** The RegoError thrown by fn (fails the test if none or another error). */
export function regoErrorOf(fn: () => unknown): RegoError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RegoError) return e;
    throw e;
  }
  throw new Error('expected a RegoError');
}
