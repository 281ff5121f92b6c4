import { describe, expect, test } from 'vitest';
import { compileGlob, globCacheSize } from '../../../../src/policy/rego/builtins/lib/glob.js';
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
    expect(() => glob('[a', [], 'a')).toThrow(/glob.match: glob: syntax error at \d+: unexpected end of input/);
    expect(() => glob('{a,b', [], 'a')).toThrow(/unclosed `\{`/);
    expect(() => glob('*', 'x', 'a')).toThrow(/operand 2 must be one of \{null, array\[string\]\}/);
  });
});

describe('glob.match runs in linear time (NFA simulation, no backtracking)', () => {
  // Each rune visits every live state at most twice (its test, then the epsilon closure).
  const bound = (g: { states: unknown[] }, s: string): number => 2 * g.states.length * ([...s].length + 1);

  test('patterns that hang a backtracker finish within states × runes steps', () => {
    const cases: Array<[string, string, boolean]> = [
      [`${'*a'.repeat(40)}b`, 'a'.repeat(20_000), false],
      [`${'{a,aa}'.repeat(30)}b`, 'a'.repeat(5_000), false],
      [`${'**a'.repeat(25)}`, `${'a'.repeat(10_000)}`, true],
      [`{${Array.from({ length: 50 }, (_, i) => `*${String.fromCharCode(97 + (i % 26))}*`).join(',')}}z`, 'x'.repeat(10_000), false],
    ];
    for (const [pattern, s, want] of cases) {
      const g = compileGlob(pattern, ['.']);
      expect(g.test(s)).toBe(want);
      expect(g.lastSteps).toBeLessThanOrEqual(bound(g, s));
      expect(g.states.length).toBeLessThanOrEqual(4 * [...pattern].length + 2); // size linear in the pattern
    }
  });

  test('the work per rune does not grow with the input (1000 more runes cost the same at 1k and 10k)', () => {
    const g = compileGlob(`${'*a'.repeat(30)}b`, []);
    const steps = (n: number): number => {
      g.test('a'.repeat(n));
      return g.lastSteps;
    };
    const cold = steps(1_000); // builds the cached sets of live states
    expect(steps(1_000)).toBeLessThan(cold); // then each rune is one cached step
    const early = steps(2_000) - steps(1_000);
    const late = steps(11_000) - steps(10_000);
    expect(early).toBeGreaterThanOrEqual(1_000); // at least one step per rune
    expect(late).toBe(early);
  });

  test('the lazily built DFA stays bounded on a pattern with exponentially many state sets', () => {
    // `*a` then 13 `?`: "the 14th rune from the end is a" needs 2^13 sets of live states
    const g = compileGlob(`*a${'?'.repeat(13)}`, []);
    let seed = 7;
    const rnd = (): string => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % 2 === 0 ? 'a' : 'b';
    };
    for (let i = 0; i < 40; i++) {
      const s = Array.from({ length: 2_000 }, rnd).join('');
      expect(g.test(s)).toBe(s[s.length - 14] === 'a');
      expect(g.lastSteps).toBeLessThanOrEqual(bound(g, s));
      expect(g.cachedStates).toBeLessThanOrEqual(4_096);
    }
  });

  test('the compiled-pattern cache is bounded', () => {
    for (let i = 0; i < 1_100; i++) compileGlob(`p${i}*`, []);
    expect(globCacheSize()).toBeLessThanOrEqual(1_000);
    expect(globCacheSize()).toBeGreaterThan(0);
  });
});

test('glob.quote_meta escapes * ? \\ [ ] { }', () => {
  expect(call('glob.quote_meta', ['*.github.com'])).toBe('\\*.github.com');
  expect(call('glob.quote_meta', ['a?[b]{c}\\'])).toBe('a\\?\\[b\\]\\{c\\}\\\\');
  const q = call('glob.quote_meta', ['{*}?']) as string;
  expect(glob(q, [], '{*}?')).toBe(true);
});
