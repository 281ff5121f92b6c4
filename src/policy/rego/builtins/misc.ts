/** Membership (`in`), walk/print/trace placeholders (handled by the evaluator), opa.runtime stub. */
import { collectionEntries, RObject, RSet, type Value, valueEquals } from '../value.js';
import { registerBuiltins } from './registry.js';

function member(x: Value, coll: Value): boolean {
  if (Array.isArray(coll)) return coll.some((e) => valueEquals(e, x));
  if (coll instanceof RSet) return coll.has(x);
  if (coll instanceof RObject) return coll.values().some((e) => valueEquals(e, x));
  return false;
}

registerBuiltins('misc', [
  { name: 'internal.member_2', arity: 2, fn: (args) => member(args[0]!, args[1]!) },
  {
    name: 'internal.member_3',
    arity: 3,
    fn: (args) => {
      const [k, v, coll] = args as [Value, Value, Value];
      if (coll instanceof RObject) {
        const got = coll.get(k);
        return got !== undefined && valueEquals(got, v);
      }
      if (Array.isArray(coll) || coll instanceof RSet) return collectionEntries(coll).some(([a, b]) => valueEquals(a, k) && valueEquals(b, v));
      return false;
    },
  },
  // print and walk are evaluated by the evaluator itself (undefined arguments, relations)
  { name: 'print', arity: -1, fn: () => true },
  { name: 'walk', arity: 1, fn: () => undefined },
  { name: 'trace', arity: 1, fn: () => true },
]);
