/** Type builtins: is_* and type_name. */
import { isNumber, RObject, RSet, typeName, type Value } from '../value.js';
import { registerBuiltins } from './registry.js';

const is = (name: string, pred: (v: Value) => boolean) => ({ name, arity: 1, fn: (args: Value[]) => pred(args[0]!) });

registerBuiltins('types', [
  is('is_number', isNumber),
  is('is_string', (v) => typeof v === 'string'),
  is('is_boolean', (v) => typeof v === 'boolean'),
  is('is_array', (v) => Array.isArray(v)),
  is('is_set', (v) => v instanceof RSet),
  is('is_object', (v) => v instanceof RObject),
  is('is_null', (v) => v === null),
  { name: 'type_name', arity: 1, fn: (args) => typeName(args[0]!) },
]);
