// Builtin family: encoding (base64, base64url, hex, json, yaml, urlquery) with Go's rules.

import { parseJsonText } from '../../json-text.js';
import { fromJson, RObject, RSet, typeName, type Value } from '../value.js';
import { base64Decode, base64Encode, bytesToString, CodecError, hexDecode, hexEncode, parseQuery, queryEscape, queryUnescape } from './lib/codecs-go.js';
import { JsonMarshalError, marshalGo } from './lib/json-go.js';
import { marshalOptions } from './lib/json-options.js';
import { parseYaml, stringifyYaml, YamlError } from './lib/yaml-go.js';
import { argString, BuiltinError, type BuiltinFn, registerBuiltins } from './registry.js';

/** A one-string-argument builtin whose codec errors become builtin errors named after it. */
function str(name: string, f: (s: string) => Value): { name: string; arity: number; fn: BuiltinFn } {
  return { name, arity: 1, fn: (a) => guard(name, () => f(argString(a, 0, name))) };
}

function guard(name: string, f: () => Value): Value {
  try {
    return f();
  } catch (e) {
    if (e instanceof CodecError || e instanceof JsonMarshalError || e instanceof YamlError) {
      throw new BuiltinError(`${name}: ${e.message}`);
    }
    throw e;
  }
}

// is_valid builtins answer false for anything that is not a string, as OPA does.
function valid(name: string, f: (s: string) => unknown): { name: string; arity: number; fn: BuiltinFn } {
  return {
    name,
    arity: 1,
    fn: ([s]) => {
      if (typeof s !== 'string') return false;
      try {
        f(s);
        return true;
      } catch {
        return false;
      }
    },
  };
}

// base64url.decode restores omitted padding first (RFC 7515 appendix C), as OPA does.
function base64UrlDecode(s: string): string {
  let t = s;
  if (!t.endsWith('=')) {
    if (t.length % 4 === 1) throw new CodecError(`illegal base64url string: ${s}`);
    t += '='.repeat((4 - (t.length % 4)) % 4);
  }
  return bytesToString(base64Decode(t, true));
}

const parseJson = (s: string): Value => {
  try {
    return fromJson(parseJsonText(s, 'json.unmarshal'));
  } catch (e) {
    const m = /(\d+):(\d+): invalid JSON: (.*)$/.exec((e as Error).message);
    throw new CodecError(m ? `invalid JSON at line ${m[1]}, column ${m[2]}: ${m[3]}` : (e as Error).message);
  }
};

// urlquery.encode_object: values are strings, or arrays / sets of strings; keys sorted.
function encodeObject(a: Value[]): Value {
  const o = a[0];
  if (!(o instanceof RObject)) throw new BuiltinError(`urlquery.encode_object: operand 1 must be object but got ${typeName(o ?? null)}`, 'type');
  const parts: string[] = [];
  const keyed = o.entries().map(([k, v]) => [typeof k === 'string' ? k : JSON.stringify(k), v] as const);
  for (const [k, v] of keyed.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))) {
    const vals = typeof v === 'string' ? [v] : Array.isArray(v) ? v : v instanceof RSet ? v.values() : undefined;
    if (!vals || vals.some((x) => typeof x !== 'string')) {
      throw new BuiltinError('urlquery.encode_object: operand 1 values must be string, array[string], or set[string]');
    }
    for (const x of vals) parts.push(`${queryEscape(k)}=${queryEscape(x as string)}`);
  }
  return parts.join('&');
}

registerBuiltins('encoding', [
  str('base64.encode', (s) => base64Encode(s, false)),
  str('base64.decode', (s) => bytesToString(base64Decode(s, false))),
  valid('base64.is_valid', (s) => base64Decode(s, false)),
  str('base64url.encode', (s) => base64Encode(s, true)),
  str('base64url.encode_no_pad', (s) => base64Encode(s, true, false)),
  str('base64url.decode', base64UrlDecode),
  str('hex.encode', hexEncode),
  str('hex.decode', (s) => bytesToString(hexDecode(s))),
  { name: 'json.marshal', arity: 1, fn: (a) => guard('json.marshal', () => marshalGo(a[0]!)) },
  {
    name: 'json.marshal_with_options',
    arity: 2,
    fn: (a) =>
      guard('json.marshal_with_options', () => {
        const opts = marshalOptions(a[1]!);
        return opts ? opts.prefix + marshalGo(a[0]!, opts) : marshalGo(a[0]!);
      }),
  },
  str('json.unmarshal', parseJson),
  valid('json.is_valid', (s) => parseJsonText(s, 'json.is_valid')),
  { name: 'yaml.marshal', arity: 1, fn: (a) => guard('yaml.marshal', () => stringifyYaml(a[0]!)) },
  str('yaml.unmarshal', (s) => fromJson(parseYaml(s))),
  valid('yaml.is_valid', parseYaml),
  str('urlquery.encode', queryEscape),
  str('urlquery.decode', queryUnescape),
  { name: 'urlquery.encode_object', arity: 1, fn: (a) => guard('urlquery.encode_object', () => encodeObject(a)) },
  str('urlquery.decode_object', (s) => new RObject([...parseQuery(s)].map(([k, v]) => [k, v] as const))),
]);
