/**
 * Bounded evaluation (issue 16 item 5): linear-time regular expressions, collection builders under
 * the step and size limits, and their clean limit errors.
 */
import { describe, expect, it } from 'vitest';
import { regoErrorOf, value } from './helpers.js';

describe('regular expressions run in linear time (re2js)', () => {
  const evil = 'a'.repeat(40) + '!';
  for (const pattern of ['^(\\\\pL+)+$', '^(a{1,30})+$', '^(.*a){20}$', '^(a|aa)+$', '(x+x+)+y']) {
    it(`regex.match(${pattern}) on 40 a's and ! answers false (a backtracking engine never returns)`, () => {
      expect(value(`package t\na := regex.match("${pattern}", "${evil}")`, 'data.t.a')).toBe(false);
    });
  }
  it('keeps Go/RE2 syntax: \\pL, named groups, flags, \\Q..\\E, POSIX classes', () => {
    const rego = `package t
a := regex.match("^\\\\pL+$", "héllo")
b := regex.find_all_string_submatch_n("(?P<k>[a-z]+)=(?P<v>\\\\d+)", "a=1 b=2", -1)
c := regex.match("(?i)^ABC$", "abc")
d := regex.match("\\\\Qa.b\\\\E", "xa.b")
e := regex.match("^[[:alpha:]]+$", "abc")
f := regex.replace("a1b22", "(?U)\\\\d+", "#")`;
    expect(value(rego, 'data.t')).toEqual({ a: true, b: [['a=1', 'a', '1'], ['b=2', 'b', '2']], c: true, d: true, e: true, f: 'a#b##' });
  });
  it('rejects what RE2 rejects (backreferences, lookaround) with a builtin error', () => {
    const err = regoErrorOf(() => value('package t\na := regex.match("(a)\\\\1", "aa")', 'data.t.a', { strict: true }));
    expect(err.errors[0]!.code).toBe('eval_builtin_error');
    expect(value('package t\na := regex.is_valid("(?=a)")', 'data.t.a')).toBe(false);
  });
});
