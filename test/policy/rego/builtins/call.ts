// Test helper for builtin families: call a registered builtin with a fixed BuiltinContext.
import '../../../../src/policy/rego/builtins/index.js';
import { type BuiltinContext, lookupBuiltin } from '../../../../src/policy/rego/builtins/registry.js';
import { formatJson, fromJson, type Value } from '../../../../src/policy/rego/value.js';

/** A context with a fixed clock and a seeded generator (mulberry32). */
export function testContext(nowNs = 1_703_444_325_734_390_000n, seed = 42): BuiltinContext {
  let a = seed >>> 0;
  const random = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { now: () => nowNs, print: () => {}, strict: true, random, cache: new Map() };
}

/** Call builtin `name` with Values (plain JSON data is converted with fromJson). */
export function call(name: string, args: unknown[], bctx: BuiltinContext = testContext()): Value | undefined {
  const def = lookupBuiltin(name);
  if (!def) throw new Error(`builtin ${name} is not registered`);
  if (def.arity !== args.length) throw new Error(`${name} expects ${def.arity} arguments`);
  return def.fn(
    args.map((x) => fromJson(x)),
    bctx,
  );
}

/** The exact JSON text of a builtin's result (bigints included), for value assertions. */
export function callJson(name: string, args: unknown[], bctx?: BuiltinContext): string | undefined {
  const v = call(name, args, bctx);
  return v === undefined ? undefined : formatJson(v);
}
