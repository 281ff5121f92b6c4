import { describe, expect, test } from 'vitest';
import { call } from './call.js';

const glob = (p: string, d: unknown, s: string): unknown => call('glob.match', [p, d, s]);

describe('glob.match (gobwas semantics, OPA delimiters)', () => {
  test('OPA documentation examples', () => {
    expect(glob('*.github.com', [], 'api.github.com')).toBe(true);
    expect(glob('*.github.com', [], 'api.cdn.github.com')).toBe(false);
    expect(glob('*hub.com', null, 'api.cdn.github.com')).toBe(true);
    expect(glob('*:github:com', [':'], 'api:github:com')).toBe(true);
    expect(glob('api.**.com', [], 'api.github.com')).toBe(true);
    expect(glob('api.**.com', [], 'api.cdn.github.com')).toBe(true);
    expect(glob('?at', [], 'cat')).toBe(true);
    expect(glob('?at', [], 'at')).toBe(false);
    expect(glob('[abc]at', [], 'bat')).toBe(true);
    expect(glob('[abc]at', [], 'lat')).toBe(false);
    expect(glob('[!abc]at', [], 'cat')).toBe(false);
    expect(glob('[!a-c]at', [], 'lat')).toBe(true);
    expect(glob('{cat,bat,[fr]at}', [], 'rat')).toBe(true);
    expect(glob('{cat,bat,[fr]at}', [], 'at')).toBe(false);
  });
  test('null means no delimiters; [] means the default "."', () => {
    expect(glob('api://*/appId', null, 'api://foo.com/appId')).toBe(true);
    expect(glob('api://*/appId', [], 'api://foo.com/appId')).toBe(false);
    expect(glob('?', [], '.')).toBe(false);
    expect(glob('?', null, '.')).toBe(true);
    expect(glob('a/*/c', ['/'], 'a/b.x/c')).toBe(true);
    expect(glob('a/*/c', ['/'], 'a/b/x/c')).toBe(false);
  });
  test('escapes, nesting and whole-string matching', () => {
    expect(glob('\\*.txt', [], '*.txt')).toBe(true);
    expect(glob('\\*.txt', [], 'a.txt')).toBe(false);
    expect(glob('{a,b{c,d}}x', [], 'bdx')).toBe(true);
    expect(glob('ab', [], 'xaby')).toBe(false);
    expect(glob('😀?', [], '😀é')).toBe(true);
  });
  test('pathological patterns finish; astral characters are single characters', () => {
    expect(glob('*a*a*a*a*a*a*a*b', [], 'a'.repeat(3000))).toBe(false);
    expect(glob('[😀-😂]?', [], '😁x')).toBe(true);
    expect(glob('[!😀]', [], '😀')).toBe(false);
  });
  test('errors', () => {
    expect(() => glob('[a', [], 'a')).toThrow(/glob.match: .*unclosed \[/);
    expect(() => glob('{a,b', [], 'a')).toThrow(/unclosed \{/);
    expect(() => glob('*', 'x', 'a')).toThrow(/operand 2 must be one of \{null, array\[string\]\}/);
  });
});

test('glob.quote_meta escapes * ? \\ [ ] { }', () => {
  expect(call('glob.quote_meta', ['*.github.com'])).toBe('\\*.github.com');
  expect(call('glob.quote_meta', ['a?[b]{c}\\'])).toBe('a\\?\\[b\\]\\{c\\}\\\\');
  const q = call('glob.quote_meta', ['{*}?']) as string;
  expect(glob(q, [], '{*}?')).toBe(true);
});
