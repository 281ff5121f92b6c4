/**
 * A light form of OPA's type check: a builtin called with constant arguments of the wrong type
 * fails at compile time (rego_type_error), as OPA's checker reports it, instead of at evaluation.
 */
import type { Term } from '../ast.js';
import { type BuiltinContext, BuiltinError, lookupBuiltin } from '../builtins/registry.js';
import type { RegoErrorItem } from '../errors.js';
import { RObject, RSet, type Value } from '../value.js';

/** Builtins whose cost depends on argument values (never run at compile time). */
const SKIP = new Set(['numbers.range', 'numbers.range_step', 'print', 'walk', 'trace']);

/** Value of a constant literal term, or undefined when it has vars, refs, calls or comprehensions. */
export function constantValue(t: Term): Value | undefined {
  switch (t.type) {
    case 'scalar':
      return t.value;
    case 'array': {
      const out: Value[] = [];
      for (const i of t.items) {
        const v = constantValue(i);
        if (v === undefined) return undefined;
        out.push(v);
      }
      return out;
    }
    case 'set': {
      const items = t.items.map(constantValue);
      return items.every((v) => v !== undefined) ? new RSet(items as Value[]) : undefined;
    }
    case 'object': {
      const o = new RObject();
      for (const [k, v] of t.items) {
        const kv = constantValue(k);
        const vv = constantValue(v);
        if (kv === undefined || vv === undefined) return undefined;
        o.set(kv, vv);
      }
      return o;
    }
    default:
      return undefined;
  }
}

/** Compile-time calls get a small build budget: a big constant result is left to evaluation. */
const COMPILE_BUDGET = 100_000;
const ctx: BuiltinContext = { now: () => 0n, print: () => undefined, strict: true, cache: new Map() };

/** Report a type error for a builtin call whose arguments are all constants of the wrong type. */
export function checkConstantCall(op: string, args: Term[], loc: Term['loc'], errors: RegoErrorItem[]): void {
  const def = lookupBuiltin(op);
  if (!def || def.nondeterministic || def.alwaysRaise || SKIP.has(op) || args.length !== def.arity) return;
  const values = args.map(constantValue);
  if (values.some((v) => v === undefined)) return;
  try {
    let used = 0;
    const budget = (units: number): void => {
      used += units;
      if (used > COMPILE_BUDGET) throw new BuiltinError('compile-time budget', 'limit');
    };
    def.fn(values as Value[], { ...ctx, cache: new Map(), budget });
  } catch (e) {
    // Only errors about the argument's type (OPA's checker never looks at values): "must be valid
    // number string but got string" is about the value, so it stays an evaluation error.
    const m = /operand \d+ must be (.*) but got (\w+)/.exec(e instanceof Error ? e.message : '');
    if (e instanceof BuiltinError && e.kind === 'type' && m && !m[1]!.includes(m[2]!)) {
      errors.push({ code: 'rego_type_error', message: `${e.message.startsWith(op) ? '' : `${op}: `}${e.message}`, location: loc });
    }
  }
}
