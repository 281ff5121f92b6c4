import { describe, expect, test } from 'vitest';
import { call, callJson } from './call.js';

const match = (p: string, s: string): unknown => call('regex.match', [p, s]);

describe('Go RE2 syntax', () => {
  test('anchors: ^ $ are text anchors unless (?m); \\A \\z', () => {
    expect(match('^b$', 'a\nb\nc')).toBe(false);
    expect(match('(?m)^b$', 'a\nb\nc')).toBe(true);
    expect(match('^a$', 'a\n')).toBe(false); // Go's $ does not match before a final newline
    expect(match('\\Aab\\z', 'ab')).toBe(true);
  });
  test('dot excludes only \\n; (?s) includes it', () => {
    expect(match('^a.c$', 'a\rc')).toBe(true);
    expect(match('a.c', 'a\nc')).toBe(false);
    expect(match('(?s)a.c', 'a\nc')).toBe(true);
  });
  test('flags: global, scoped, and for the rest of a group', () => {
    expect(match('(?i)^abc$', 'ABC')).toBe(true);
    expect(match('a(?i)b|c', 'C')).toBe(true);
    expect(match('^a(?i:b)c$', 'aBc')).toBe(true);
    expect(match('^a(?i:b)c$', 'aBC')).toBe(false);
    expect(match('(?i)[a-c]+$', 'ABC')).toBe(true);
    expect(callJson('regex.find_n', ['(?U)a+', 'aaa', -1])).toBe('["a","a","a"]');
  });
  test('classes: perl (ASCII), POSIX, Unicode, escapes', () => {
    expect(match('^\\s$', '\u000b')).toBe(false); // Go's \s has no \v
    expect(match('^\\s$', '\u00a0')).toBe(false);
    expect(match('^[[:alpha:]]+$', 'abZ')).toBe(true);
    expect(match('^[[:^digit:]]+$', 'ab1')).toBe(false);
    expect(match('^\\pL+$', 'héllo')).toBe(true);
    expect(match('^\\p{Greek}+$', 'αβ')).toBe(true);
    expect(match('^\\PL$', '1')).toBe(true);
    expect(match('^\\x{41}\\x42\\101\\Q.*\\E$', 'ABA.*')).toBe(true);
    expect(match('^[\\d\\-x]+$', '1-x')).toBe(true);
    expect(match('^[]a]+$', ']a')).toBe(true);
  });
  test('astral code points are single characters, in both translation modes', () => {
    expect(match('^.$', '😀')).toBe(true);
    expect(match('^(?s).{2}$', '😀\n')).toBe(true);
    expect(match('^[^a]$', '😀')).toBe(true);
    expect(match('^[😀-😂]+$', '😁😂')).toBe(true); // partial astral range: u-mode
    expect(match('^\\pL\\S$', 'é😀')).toBe(true);
    expect(callJson('regex.find_n', ['[^x]', 'a😀b', -1])).toBe('["a","😀","b"]');
  });
  test('catastrophic patterns finish (linear-time fallback)', () => {
    expect(match('^(a+)+$', `${'a'.repeat(40)}b`)).toBe(false);
    expect(match('^(?:a|a)*$', `${'a'.repeat(40)}b`)).toBe(false);
  });
  test('named groups and literal braces', () => {
    expect(match('(?P<year>\\d{4})-(?<m>\\d\\d)', '2024-01')).toBe(true);
    expect(match('^x{$', 'x{')).toBe(true);
    expect(match('^a{2,3}$', 'aaaa')).toBe(false);
  });
  test.each([
    ['(?=a)', 'invalid or unsupported Perl syntax: `(?=`'],
    ['(?<!a)b', 'invalid named capture: `(?<!a)b`'],
    ['(a)\\1', 'invalid escape sequence: `\\1`'],
    ['[a', 'missing closing ]: `[a`'],
    ['(a', 'missing closing ): `(a`'],
    ['a)', 'unexpected ): `a)`'],
    ['a**', 'invalid nested repetition operator: `**`'],
    ['*a', 'missing argument to repetition operator: `*`'],
    ['a{1001}', 'invalid repeat count: `{1001}`'],
    ['[z-a]', 'invalid character class range: `z-a`'],
    ['[[:foo:]]', 'invalid character class range: `[:foo:]`'],
    ['\\C', 'invalid escape sequence: `\\C`'],
  ])('%s is rejected as by RE2', (p, msg) => {
    expect(() => match(p, 'x')).toThrow(`regex.match: error parsing regexp: ${msg}`);
    expect(call('regex.is_valid', [p])).toBe(false);
  });
});

describe('regex builtins', () => {
  test('re_match is the deprecated spelling of regex.match', () => {
    expect(call('re_match', ['^[a-z]+$', 'abc'])).toBe(true);
    expect(call('re_match', ['^[a-z]+$', 'ab1'])).toBe(false);
  });
  test('is_valid is false for non-strings', () => {
    expect(call('regex.is_valid', ['^[a-z]+$'])).toBe(true);
    expect(call('regex.is_valid', [1])).toBe(false);
  });
  test('find_n with Go empty-match rules', () => {
    expect(callJson('regex.find_n', ['[oa]+', 'foo bar', -1])).toBe('["oo","a"]');
    expect(callJson('regex.find_n', ['[oa]+', 'foo bar', 1])).toBe('["oo"]');
    expect(callJson('regex.find_n', ['[oa]+', 'foo bar', 0])).toBe('[]');
    expect(callJson('regex.find_n', ['a*', 'baaac', -1])).toBe('["","aaa",""]');
    expect(callJson('regex.find_n', ['.', 'h€😀', -1])).toBe('["h","€","😀"]');
  });
  test('find_all_string_submatch_n: unmatched groups are empty strings', () => {
    expect(callJson('regex.find_all_string_submatch_n', ['a(x*)b(y)?', '-ab-axxb-', -1])).toBe('[["ab","",""],["axxb","xx",""]]');
  });
  test('split as Go', () => {
    expect(callJson('regex.split', ['/', 'foo//bar/baz'])).toBe('["foo","","bar","baz"]');
    expect(callJson('regex.split', ['/', ''])).toBe('[""]');
    expect(callJson('regex.split', ['x*', 'axbc'])).toBe('["a","b","c"]');
    expect(callJson('regex.split', ['a', 'banana'])).toBe('["b","n","n",""]');
  });
  // biome-ignore lint/suspicious/noTemplateCurlyInString: names Go's ${1} replacement syntax, not a template
  test('replace with $1, ${1}, $name, $$', () => {
    expect(call('regex.replace', ['hello', 'l+', 'r'])).toBe('hero');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Go's ${1} replacement syntax, passed to regex.replace as is
    expect(call('regex.replace', ['-ab-axxb-', 'a(x*)b', '${1}W'])).toBe('-W-xxW-');
    expect(call('regex.replace', ['-ab-axxb-', 'a(x*)b', '$1W'])).toBe('---'); // "$1W" names group "1W"
    expect(call('regex.replace', ['-ab-axxb-', 'a(?P<x>x*)b', '[$x]$$'])).toBe('-[]$-[xx]$-');
    expect(call('regex.replace', ['abc', 'x*', '-'])).toBe('-a-b-c-');
  });
  test('template_match', () => {
    const t = '/users/id-{[0-9]{1,4}}/update';
    expect(call('regex.template_match', [t, '/users/id-123/update', '{', '}'])).toBe(true);
    expect(call('regex.template_match', [t, '/users/id-123123/update', '{', '}'])).toBe(false);
    expect(call('regex.template_match', ['urn:foo:{.*}', 'urn:foo:bar:baz', '{', '}'])).toBe(true);
    expect(call('regex.template_match', ['a.b<[0-9]+>', 'axb12', '<', '>'])).toBe(false); // literal parts are quoted
    expect(() => call('regex.template_match', ['{a', 'a', '{', '}'])).toThrow(/unbalanced braces/);
  });
  test('globs_match: intersection of glob-style expressions', () => {
    const overlap: Array<[string, string]> = [
      ['abcd', '[a-d]*'],
      ['pqrs', 'pq.s'],
      ['d*', 'd[a-z]+'],
      ['[a-p]+', '[p-z]+'],
      ['abcd[a-c]z+', 'abcd[b-d][yz]*'],
      ['.*\\\\', 'asdfasdf\\\\'],
      ['.a.a', 'b.b.'],
      ['foo.*bar', 'fooalkdsjfbar'],
      ['a.a.', '.b.b'],
    ];
    const disjoint: Array<[string, string]> = [
      ['abcd', 'abcdla'],
      ['[a-d]+', '[e-f]+'],
      ['[0-9]*', '[a-z]'],
      ['[0-9]*', '.\\*'],
      ['mamama.*', 'dadada.*'],
      ['ab+', 'abc'],
      ['.*.*.*.*f', '.*.*.*.*g'],
      ['[a-z]+', '[0-9]*'],
    ];
    for (const [a, b] of overlap) expect(call('regex.globs_match', [a, b]), `${a} ∩ ${b}`).toBe(true);
    for (const [a, b] of disjoint) expect(call('regex.globs_match', [a, b]), `${a} ∩ ${b}`).toBe(false);
  });
  test('invalid patterns are builtin errors naming the builtin', () => {
    expect(() => call('regex.find_n', ['(', 'x', 1])).toThrow(/^regex\.find_n: error parsing regexp/);
    expect(() => call('regex.match', ['a', 1])).toThrow(/operand 2 must be string/);
  });
});

test('through the engine: regex and glob in rules, invalid patterns undefined unless strict', async () => {
  const { compile, evaluateRaw, formatJson } = await import('../../../../src/policy/rego/index.js');
  const policy = compile([
    {
      path: 'p.rego',
      text: `package p
import rego.v1
images := ["registry.corp/app:1.2", "docker.io/evil:latest"]
trusted contains i if { some i in images; regex.match(\`^registry\\.corp/[a-z]+:\\d+(\\.\\d+)*$\`, i) }
hosts := [h | some i in images; h := regex.find_n(\`^[^/]+\`, i, 1)[0]]
corp if glob.match("*.corp", [], hosts[0])
bad := regex.match("(", "x")
`,
    },
  ]);
  expect(formatJson(evaluateRaw(policy, 'data.p').raw[0]!.expressions[0]!)).toBe(
    '{"corp":true,"hosts":["registry.corp","docker.io"],"images":["registry.corp/app:1.2","docker.io/evil:latest"],"trusted":["registry.corp/app:1.2"]}',
  );
  expect(() => evaluateRaw(policy, 'data.p.bad', { strict: true })).toThrow(/regex.match: error parsing regexp: missing closing \)/);
});
