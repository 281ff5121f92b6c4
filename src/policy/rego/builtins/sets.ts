/** Set builtins: intersection, union, and the & | operators. */
import { RSet, typeName, type Value } from '../value.js';
import { argSet, BuiltinError, charge, registerBuiltins } from './registry.js';

function setOfSets(args: Value[], name: string): RSet[] {
  const s = argSet(args, 0, name);
  return s.values().map((x) => {
    if (!(x instanceof RSet)) throw new BuiltinError(`${name}: operand 1 must be set of sets but got set containing ${typeName(x)}`, 'type');
    return x;
  });
}

registerBuiltins('sets', [
  {
    name: 'and',
    arity: 2,
    fn: (args) => {
      const a = argSet(args, 0, 'and');
      const b = argSet(args, 1, 'and');
      return new RSet(a.values().filter((x) => b.has(x)));
    },
  },
  { name: 'or', arity: 2, fn: (args) => new RSet([...argSet(args, 0, 'or').values(), ...argSet(args, 1, 'or').values()]) },
  {
    name: 'intersection',
    arity: 1,
    fn: (args) => {
      const sets = setOfSets(args, 'intersection');
      if (sets.length === 0) return new RSet();
      return new RSet(sets[0]!.values().filter((x) => sets.every((s) => s.has(x))));
    },
  },
  {
    name: 'union',
    arity: 1,
    fn: (args, bctx) => {
      const sets = setOfSets(args, 'union');
      charge(
        bctx,
        sets.reduce((n, s) => n + s.size, 0),
        'union',
      );
      return new RSet(sets.flatMap((s) => s.values()));
    },
  },
  {
    name: 'set_diff',
    arity: 2,
    fn: (args) => {
      const b = argSet(args, 1, 'set_diff');
      return new RSet(
        argSet(args, 0, 'set_diff')
          .values()
          .filter((x) => !b.has(x)),
      );
    },
  },
]);
