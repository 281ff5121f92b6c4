// Builtin family: glob (glob.match with gobwas/glob semantics, glob.quote_meta).

import { typeName, type Value } from '../value.js';
import { compileGlob, GlobError, quoteGlobMeta } from './lib/glob.js';
import { argString, BuiltinError, registerBuiltins } from './registry.js';

// null: no delimiters; an array of single-rune strings; [] means the default ["."] (OPA 1.22.3).
function delimiters(v: Value): string[] {
  if (v === null) return [];
  if (!Array.isArray(v)) {
    throw new BuiltinError(`glob.match: operand 2 must be one of {null, array[string]} but got ${typeName(v)}`, 'type');
  }
  const out = v.map((d) => {
    if (typeof d !== 'string') throw new BuiltinError(`glob.match: operand 2 must be array[string] but got array[${typeName(d)}]`, 'type');
    if ([...d].length !== 1) throw new BuiltinError('glob.match: operand 2 must be array of runes but got array containing string', 'type');
    return d;
  });
  return out.length ? out : ['.'];
}

registerBuiltins('glob', [
  {
    name: 'glob.match',
    arity: 3,
    fn: (a) => {
      const pattern = argString(a, 0, 'glob.match');
      const seps = delimiters(a[1]!);
      const s = argString(a, 2, 'glob.match');
      try {
        return compileGlob(pattern, seps).test(s);
      } catch (e) {
        if (e instanceof GlobError) throw new BuiltinError(`glob.match: ${e.message}`);
        throw e;
      }
    },
  },
  { name: 'glob.quote_meta', arity: 1, fn: (a) => quoteGlobMeta(argString(a, 0, 'glob.quote_meta')) },
]);
