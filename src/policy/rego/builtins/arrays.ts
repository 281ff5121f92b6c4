/** Array builtins: array.concat, array.slice, array.reverse, array.flatten. */
import { isInteger, type Value } from '../value.js';
import { argArray, argNumber, charge, registerBuiltins } from './registry.js';

/** One level, as OPA's array.flatten: [[1, [2]]] → [1, [2]]. */
function flatten(xs: Value[]): Value[] {
  return xs.flatMap((x) => (Array.isArray(x) ? x : [x]));
}

registerBuiltins('arrays', [
  {
    name: 'array.concat',
    arity: 2,
    fn: (args, bctx) => {
      const [a, b] = [argArray(args, 0, 'array.concat'), argArray(args, 1, 'array.concat')];
      charge(bctx, a.length + b.length, 'array.concat');
      return [...a, ...b];
    },
  },
  {
    name: 'array.slice',
    arity: 3,
    fn: (args) => {
      const xs = argArray(args, 0, 'array.slice');
      const a = argNumber(args, 1, 'array.slice');
      const b = argNumber(args, 2, 'array.slice');
      if (!isInteger(a) || !isInteger(b)) return undefined;
      let start = Number(a);
      let stop = Number(b);
      start = Math.max(0, start);
      stop = Math.min(xs.length, stop);
      return start >= stop ? [] : xs.slice(start, stop);
    },
  },
  { name: 'array.reverse', arity: 1, fn: (args) => [...argArray(args, 0, 'array.reverse')].reverse() },
  {
    name: 'array.flatten',
    arity: 1,
    fn: (args, bctx) => {
      const xs = argArray(args, 0, 'array.flatten');
      charge(
        bctx,
        xs.reduce<number>((n, x) => n + (Array.isArray(x) ? x.length : 1), 0),
        'array.flatten',
      );
      return flatten(xs);
    },
  },
]);
