/** Aggregate builtins: count, sum, product, max, min, sort, all, any. */
import { compareValues, isNumber, RObject, RSet, typeName, type Value } from '../value.js';
import { add, mul } from './arith.js';
import { argArrayOrSet, BuiltinError, type BuiltinFn, registerBuiltins } from './registry.js';

const count: BuiltinFn = (args) => {
  const v = args[0]!;
  if (Array.isArray(v)) return v.length;
  if (v instanceof RObject || v instanceof RSet) return v.size;
  if (typeof v === 'string') return [...v].length;
  throw new BuiltinError(`count: operand 1 must be one of {array, object, set, string} but got ${typeName(v)}`, 'type');
};

function numbers(args: Value[], name: string): Array<number | bigint> {
  const xs = argArrayOrSet(args, 0, name);
  for (const x of xs) {
    if (!isNumber(x)) throw new BuiltinError(`${name}: operand 1 must be one of {array[number], set[number]} but got ${typeName(x)} element`, 'type');
  }
  return xs as Array<number | bigint>;
}

const extreme =
  (name: string, sign: number): BuiltinFn =>
  (args) => {
    const xs = argArrayOrSet(args, 0, name);
    if (xs.length === 0) return undefined;
    return xs.reduce((m, x) => (compareValues(x, m) * sign > 0 ? x : m));
  };

const boolAgg =
  (name: string, all: boolean): BuiltinFn =>
  (args) => {
    const xs = argArrayOrSet(args, 0, name);
    return all ? xs.every((x) => x === true) : xs.some((x) => x === true);
  };

registerBuiltins('aggregates', [
  { name: 'count', arity: 1, fn: count },
  { name: 'sum', arity: 1, fn: (args) => numbers(args, 'sum').reduce<number | bigint>((a, b) => add(a, b), 0) },
  { name: 'product', arity: 1, fn: (args) => numbers(args, 'product').reduce<number | bigint>((a, b) => mul(a, b), 1) },
  { name: 'max', arity: 1, fn: extreme('max', 1) },
  { name: 'min', arity: 1, fn: extreme('min', -1) },
  { name: 'sort', arity: 1, fn: (args) => [...argArrayOrSet(args, 0, 'sort')].sort(compareValues) },
  { name: 'all', arity: 1, fn: boolAgg('all', true) },
  { name: 'any', arity: 1, fn: boolAgg('any', false) },
]);
