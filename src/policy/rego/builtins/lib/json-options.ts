// The `opts` object of json.marshal_with_options (keys pretty, indent, prefix), as OPA reads it.

import { RObject, typeName, type Value } from '../../value.js';
import { BuiltinError } from '../registry.js';

const NAME = 'json.marshal_with_options';

/** Indentation to use, or undefined for compact output. Defaults: indent "\t", prefix "". */
export function marshalOptions(v: Value): { prefix: string; indent: string } | undefined {
  if (v === null) return undefined;
  if (!(v instanceof RObject)) throw new BuiltinError(`${NAME}: operand 2 must be one of {object, null} but got ${typeName(v)}`, 'type');
  let indent = '\t';
  let prefix = '';
  let implicit = false;
  let explicit: boolean | undefined;
  for (const [k, val] of v.entries()) {
    if (val === null && (k === 'prefix' || k === 'indent' || k === 'pretty')) continue;
    if (k === 'prefix' || k === 'indent') {
      if (typeof val !== 'string') throw new BuiltinError(`${NAME}: operand 2 key ${k} failed cast to string`);
      if (k === 'prefix') prefix = val;
      else indent = val;
      implicit = true;
    } else if (k === 'pretty') {
      if (typeof val !== 'boolean') throw new BuiltinError(`${NAME}: operand 2 key ${k} failed cast to bool`);
      explicit = val;
    } else {
      throw new BuiltinError(`${NAME}: operand 2 object contained unknown key ${typeof k === 'string' ? k : JSON.stringify(k)}`);
    }
  }
  return (explicit ?? implicit) ? { prefix, indent } : undefined;
}
