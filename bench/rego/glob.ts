/**
 * glob.match benchmark (ADR 0032): the linear-time matcher (NFA run as a lazy DFA) against V8's own
 * RegExp for the same globs, measured in the same run (ratio), and its growth on a pattern that makes
 * a backtracking matcher exponential (time and counted steps at n and 10n runes: linear means ~10×).
 *
 *   node dist/bench/rego/glob.js [--subjects 20000] [--rounds 5]
 */
import { loadavg } from 'node:os';
import { compileGlob } from '../../src/policy/rego/builtins/lib/glob.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback;
}
const n = arg('--subjects', 20_000);
const rounds = arg('--rounds', 5);

const ms = (f: () => void): number => {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const subjects = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? `api${i}.github.com` : i % 3 === 1 ? `api.cdn${i}.github.com` : `svc-${i}/v1/items`));
// glob, delimiters, the equivalent JS RegExp (the baseline)
const cases: Array<[string, string[], RegExp]> = [
  ['*.github.com', ['.'], /^[^.]*\.github\.com$/],
  ['api.**.com', ['.'], /^api\..*\.com$/s],
  ['svc-*/{v1,v2}/*', ['/'], /^svc-[^/]*\/(?:v1|v2)\/[^/]*$/],
  ['[a-s]*', [], /^[a-s].*$/s],
];

console.log(
  `glob.match: ${n} subjects, median of ${rounds} rounds; load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
for (const [pattern, seps, re] of cases) {
  const g = compileGlob(pattern, seps);
  let a = 0;
  let b = 0;
  const ours: number[] = [];
  const base: number[] = [];
  for (let r = 0; r < rounds; r++) {
    ours.push(
      ms(() => {
        for (const s of subjects) if (g.test(s)) a++;
      }),
    );
    base.push(
      ms(() => {
        for (const s of subjects) if (re.test(s)) b++;
      }),
    );
  }
  if (a !== b) throw new Error(`${pattern}: ${a} matches, RegExp ${b}`);
  const o = median(ours);
  const x = median(base);
  console.log(
    `  ${pattern.padEnd(18)} ${((1e6 * o) / n).toFixed(0).padStart(6)} ns/match  RegExp ${((1e6 * x) / n).toFixed(0).padStart(5)} ns  ratio ${(o / x).toFixed(2)}`,
  );
}

const bad = `${'*a'.repeat(30)}b`;
const g = compileGlob(bad, []);
const run = (len: number): [number, number] => {
  const s = 'a'.repeat(len);
  const t = median(Array.from({ length: rounds }, () => ms(() => g.test(s))));
  return [t, g.lastSteps];
};
run(1_000); // warm the cached state sets
const [t1, s1] = run(10_000);
const [t2, s2] = run(100_000);
console.log(
  `  ${bad.slice(0, 12)}… (30 stars) on a×10k: ${t1.toFixed(2)} ms, ${s1} steps; a×100k: ${t2.toFixed(2)} ms, ${s2} steps; growth ×${(t2 / t1).toFixed(1)} time, ×${(s2 / s1).toFixed(1)} steps (linear: ~10)`,
);
