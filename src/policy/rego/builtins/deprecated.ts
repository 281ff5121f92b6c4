/**
 * Deprecated builtins of Rego v0 (`cast_*`): available to v0 modules, rejected in v1 modules by the
 * compiler ("deprecated built-in function calls in expression"), as OPA 1.x does.
 */
import { RObject, RSet, type Value } from '../value.js';
import { argArrayOrSet, argOf, registerBuiltins } from './registry.js';

const is =
  <T extends Value>(pred: (v: Value) => boolean) =>
  (v: Value): v is T =>
    pred(v);

registerBuiltins('deprecated', [
  { name: 'cast_array', arity: 1, fn: (args) => [...argArrayOrSet(args, 0, 'cast_array')] },
  { name: 'cast_set', arity: 1, fn: (args) => new RSet(argArrayOrSet(args, 0, 'cast_set')) },
  {
    name: 'cast_string',
    arity: 1,
    fn: (args) =>
      argOf(
        args,
        0,
        'cast_string',
        'string',
        is<string>((v) => typeof v === 'string'),
      ),
  },
  {
    name: 'cast_boolean',
    arity: 1,
    fn: (args) =>
      argOf(
        args,
        0,
        'cast_boolean',
        'boolean',
        is<boolean>((v) => typeof v === 'boolean'),
      ),
  },
  {
    name: 'cast_null',
    arity: 1,
    fn: (args) =>
      argOf(
        args,
        0,
        'cast_null',
        'null',
        is<null>((v) => v === null),
      ),
  },
  {
    name: 'cast_object',
    arity: 1,
    fn: (args) =>
      argOf(
        args,
        0,
        'cast_object',
        'object',
        is<RObject>((v) => v instanceof RObject),
      ),
  },
]);
