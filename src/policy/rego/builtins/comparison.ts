/** Comparison and equality builtins (operators ==, !=, <, <=, >, >=). */
import { compareValues, valueEquals } from '../value.js';
import { type BuiltinFn, registerBuiltins } from './registry.js';

const cmp =
  (test: (c: number) => boolean): BuiltinFn =>
  (args) =>
    test(compareValues(args[0]!, args[1]!));

registerBuiltins('comparison', [
  { name: 'equal', arity: 2, fn: (args) => valueEquals(args[0]!, args[1]!) },
  { name: 'neq', arity: 2, fn: (args) => !valueEquals(args[0]!, args[1]!) },
  { name: 'lt', arity: 2, fn: cmp((c) => c < 0) },
  { name: 'lte', arity: 2, fn: cmp((c) => c <= 0) },
  { name: 'gt', arity: 2, fn: cmp((c) => c > 0) },
  { name: 'gte', arity: 2, fn: cmp((c) => c >= 0) },
]);
