/**
 * Bounded evaluation (issue 16 item 5): linear-time regular expressions, collection builders under
 * the step and size limits, and their clean limit errors.
 */
import { describe, expect, it } from 'vitest';
import { regoErrorOf, value } from './helpers.js';

describe('regular expressions run in linear time (re2js)', () => {
  const evil = `${'a'.repeat(40)}!`;
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
    expect(value(rego, 'data.t')).toEqual({
      a: true,
      b: [
        ['a=1', 'a', '1'],
        ['b=2', 'b', '2'],
      ],
      c: true,
      d: true,
      e: true,
      f: 'a#b##',
    });
  });
  it('rejects what RE2 rejects (backreferences, lookaround) with a builtin error', () => {
    const err = regoErrorOf(() => value('package t\na := regex.match("(a)\\\\1", "aa")', 'data.t.a', { strict: true }));
    expect(err.errors[0]!.code).toBe('eval_builtin_error');
    expect(value('package t\na := regex.is_valid("(?=a)")', 'data.t.a')).toBe(false);
  });
});

describe('collection builders count against the step and size limits', () => {
  const limitOf = (rego: string, opts: Parameters<typeof value>[2] = {}) => {
    const err = regoErrorOf(() => value(`package t\n${rego}`, 'data.t.a', opts));
    expect(err.errors[0]!.code).toBe('eval_limit_error');
    return err.errors[0]!.message;
  };
  it('count(numbers.range(1, 1e12)) is a clean limit error, not an out-of-memory crash', () => {
    expect(limitOf('a := count(numbers.range(1, 1e12))')).toMatch(/numbers\.range: evaluation exceeded the size limit of 64000000/);
    expect(limitOf('a := count(numbers.range_step(1, 1e15, 3))')).toMatch(/numbers\.range_step: .*size limit/);
  });
  it('each builder is charged before it builds', () => {
    const small = { maxBuilt: 1000 };
    expect(limitOf('a := array.concat(numbers.range(1, 600), numbers.range(1, 600))', small)).toMatch(/array\.concat|numbers\.range/);
    expect(limitOf('a := concat(",", [x | x := sprintf("%0500d", [1])] )', { maxBuilt: 400 })).toMatch(/sprintf/);
    expect(limitOf('a := sprintf("%1000000000d", [1])')).toMatch(/sprintf: evaluation exceeded the size limit/);
    expect(limitOf('a := replace(input.s, "a", input.big)', { maxBuilt: 10_000, input: { s: 'a'.repeat(100), big: 'b'.repeat(200) } })).toMatch(/replace/);
    expect(limitOf('a := strings.replace_n({"a": input.big}, input.s)', { maxBuilt: 10_000, input: { s: 'a'.repeat(100), big: 'b'.repeat(200) } })).toMatch(
      /strings\.replace_n/,
    );
    expect(limitOf('a := split(input.s, "")', { maxBuilt: 1000, input: { s: 'x'.repeat(5000) } })).toMatch(/split/);
    expect(limitOf('a := concat("", input.xs)', { maxBuilt: 1000, input: { xs: ['y'.repeat(600), 'z'.repeat(600)] } })).toMatch(/concat/);
    expect(limitOf('a := union({{x | x := numbers.range(1, 10)[_]}, {y | y := numbers.range(20, 900)[_]}})', { maxBuilt: 1500 })).toMatch(
      /union|comprehension|numbers\.range/,
    );
  });
  it('comprehension results count too', () => {
    expect(limitOf('a := count({x | some x in numbers.range(1, 3000)})', { maxBuilt: 5000 })).toMatch(
      /comprehension: evaluation exceeded the size limit of 5000/,
    );
  });
  it('the step limit also covers building: many small builds add up', () => {
    expect(limitOf('a := count([x | some i in numbers.range(1, 200); x := concat("", [sprintf("%0200d", [i])])])', { maxSteps: 2000 })).toMatch(
      /step limit of 2000/,
    );
  });
  it('a constant call with a huge result is left to evaluation, not run while compiling', () => {
    expect(limitOf('a := sprintf("%900000000d", [1])')).toMatch(/sprintf/);
  });
  it('below the limits the same builders work', () => {
    expect(value('package t\na := count(numbers.range(1, 100000))', 'data.t.a')).toBe(100000);
  });
});
