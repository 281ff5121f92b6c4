import { describe, expect, test } from 'vitest';
import { mkObject, mkSet } from '../../../../src/policy/rego/value.js';
import { call, callJson } from './call.js';

describe('base64, base64url, hex', () => {
  test('round trips over UTF-8', () => {
    expect(call('base64.encode', ['héllo'])).toBe('aMOpbGxv');
    expect(call('base64.decode', ['aMOpbGxv'])).toBe('héllo');
    expect(call('base64url.encode', ['??>'])).toBe('Pz8-');
    expect(call('base64url.encode_no_pad', ['hi'])).toBe('aGk');
    expect(call('base64url.decode', ['aGk'])).toBe('hi');
    expect(call('base64url.decode', ['Pz8-'])).toBe('??>');
    expect(call('hex.encode', ['hi€'])).toBe('6869e282ac');
    expect(call('hex.decode', ['6869E282AC'])).toBe('hi€');
  });
  test('strict padding and Go error wording', () => {
    expect(call('base64.is_valid', ['aGk='])).toBe(true);
    expect(call('base64.is_valid', ['aGk'])).toBe(false);
    expect(call('base64.is_valid', [1])).toBe(false);
    expect(() => call('base64.decode', ['a$=='])).toThrow('base64.decode: illegal base64 data at input byte 1');
    expect(() => call('base64url.decode', ['a'])).toThrow('illegal base64url string: a');
    expect(() => call('hex.decode', ['6g'])).toThrow("hex.decode: encoding/hex: invalid byte: U+0067 'g'");
    expect(() => call('hex.decode', ['686'])).toThrow('encoding/hex: odd length hex string');
  });
});

describe('json', () => {
  test('marshal: compact, sorted keys, HTML-safe, exact integers, sets as arrays', () => {
    expect(call('json.marshal', [{ b: [1, 2.5, 'x<y&'], a: null, c: 12345678901234567890n }])).toBe(
      '{"a":null,"b":[1,2.5,"x\\u003cy\\u0026"],"c":12345678901234567890}',
    );
    expect(call('json.marshal', [mkSet([3, 1, 2])])).toBe('[1,2,3]');
    expect(call('json.marshal', [mkObject([[[1, 2], 'v']])])).toBe('{"[1, 2]":"v"}');
  });
  test('marshal_with_options: pretty, indent, prefix', () => {
    const v = { a: [1, { b: 2 }], c: {} };
    expect(call('json.marshal_with_options', [v, { pretty: true, indent: '  ', prefix: '>' }])).toBe(
      '>{\n>  "a": [\n>    1,\n>    {\n>      "b": 2\n>    }\n>  ],\n>  "c": {}\n>}',
    );
    expect(call('json.marshal_with_options', [{ a: 1 }, { pretty: true }])).toBe('{\n\t"a": 1\n}');
    expect(call('json.marshal_with_options', [{ a: 1 }, { indent: '  ' }])).toBe('{\n  "a": 1\n}');
    expect(call('json.marshal_with_options', [{ a: 1 }, { pretty: false, indent: '  ' }])).toBe('{"a":1}');
    expect(() => call('json.marshal_with_options', [{ a: 1 }, { foo: 1 }])).toThrow('object contained unknown key foo');
  });
  test('unmarshal keeps big integers exact; is_valid', () => {
    expect(callJson('json.unmarshal', ['{"a": [1, 12345678901234567890, 1.5e3, "x"]}'])).toBe('{"a":[1,12345678901234567890,1500,"x"]}');
    expect(() => call('json.unmarshal', ['{"a": }'])).toThrow(/json.unmarshal: invalid JSON at line 1, column 7/);
    expect(() => call('json.unmarshal', ['[1] [2]'])).toThrow(/json.unmarshal: invalid JSON/);
    expect(call('json.is_valid', ['[1,2]'])).toBe(true);
    expect(call('json.is_valid', ['[1,2'])).toBe(false);
    expect(call('json.is_valid', [5])).toBe(false);
  });
});

describe('yaml', () => {
  test('marshal: block style, sorted keys, 1.1-safe quoting', () => {
    expect(call('yaml.marshal', [{ b: [1, { c: 'true' }], a: 'x: y', n: 12345678901234567890n, s: mkSet(['z', 'y']) }])).toBe(
      'a: "x: y"\nb:\n- 1\n- c: "true"\n"n": 12345678901234567890\ns:\n- "y"\n- z\n',
    );
    expect(call('yaml.marshal', [[]])).toBe('[]\n');
  });
  test('unmarshal with YAML 1.1 scalars as yaml.v2 resolves them', () => {
    expect(callJson('yaml.unmarshal', ['a: yes\nb: [1, 2]\nc: 2001-12-14\nd: 12345678901234567890\n1: one\ne: 1:20\n'])).toBe(
      '{"1":"one","a":true,"b":[1,2],"c":"2001-12-14","d":12345678901234567890,"e":"1:20"}',
    );
    expect(call('yaml.unmarshal', [''])).toBe(null);
    expect(callJson('yaml.unmarshal', ['a: &x [1]\nb: *x\n<<: {c: 3}\n'])).toBe('{"a":[1],"b":[1],"c":3}');
    expect(callJson('yaml.unmarshal', ['--- 1\n--- 2\n'])).toBe('1'); // the first document, as yaml.v2
    expect(() => call('yaml.unmarshal', ['a: .inf'])).toThrow('yaml.unmarshal: json: unsupported value: +Inf');
    expect(() => call('yaml.unmarshal', ['a: [1, 2'])).toThrow(/^yaml.unmarshal: yaml: /);
    expect(call('yaml.is_valid', ['a: b'])).toBe(true);
    expect(call('yaml.is_valid', ['a: ['])).toBe(false);
  });
});

describe('urlquery', () => {
  test('encode / decode as net/url', () => {
    expect(call('urlquery.encode', ['a b&c=d/é~'])).toBe('a+b%26c%3Dd%2F%C3%A9~');
    expect(call('urlquery.decode', ['a+b%26c%3Dd%C3%A9'])).toBe('a b&c=dé');
    expect(() => call('urlquery.decode', ['%zz'])).toThrow('urlquery.decode: invalid URL escape "%zz"');
  });
  test('objects: sorted keys, repeated values', () => {
    expect(call('urlquery.encode_object', [{ b: 'x y', a: ['1', '2'], c: mkSet(['z']) }])).toBe('a=1&a=2&b=x+y&c=z');
    expect(() => call('urlquery.encode_object', [{ a: 1 }])).toThrow(/values must be string, array\[string\], or set\[string\]/);
    expect(callJson('urlquery.decode_object', ['a=1&a=2&b=x+y&c'])).toBe('{"a":["1","2"],"b":["x y"],"c":[""]}');
    expect(() => call('urlquery.decode_object', ['a=1;b=2'])).toThrow('invalid semicolon separator in query');
  });
});
