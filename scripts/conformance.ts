/**
 * Conformance runner: `npm run conformance [-- --root <dir>] [--filter <text>] [--verbose]`.
 * Prints passed/failed/skipped per folder (result and error cases apart) and writes
 * reports/conformance.md listing every failure with its reason. `--write-pass-list` rewrites
 * test/policy/rego/conformance-pass.json (the ids of the cases that must keep passing) from this run.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findConformanceRoot, loadCases } from '../src/policy/rego/conformance/cases.js';
import { type CaseOutcome, caseId, runCase, type SkipEntry, summarize } from '../src/policy/rego/conformance/runner.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root: the nearest ancestor with a package.json (else the working directory). */
function findRepo(start: string): string {
  for (let d = start; d !== dirname(d); d = dirname(d)) if (existsSync(join(d, 'package.json'))) return d;
  return process.cwd();
}
const repo = findRepo(here);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const root = resolve(arg('--root') ?? findConformanceRoot(repo));
const filter = arg('--filter');
const skips = JSON.parse(readFileSync(join(repo, 'test/policy/rego/conformance-skip.json'), 'utf8')) as SkipEntry[];
const cases = loadCases(root).filter((c) => !filter || `${c.file} ${c.note}`.includes(filter));
const started = Date.now();
const outcomes: CaseOutcome[] = cases.map((c) => runCase(c, skips));
const { folders, total } = summarize(outcomes);

const line = (label: string, t: { passed: number; failed: number; skipped: number }): string =>
  `${label.padEnd(9)} ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`;
for (const f of folders) {
  console.log(`${f.folder}`);
  console.log(`  ${line('results', f.result)}`);
  console.log(`  ${line('errors', f.error)}`);
}
console.log('overall');
console.log(`  ${line('results', total.result)}`);
console.log(`  ${line('errors', total.error)}`);
const pct = (t: { passed: number; failed: number }): string => `${((100 * t.passed) / Math.max(1, t.passed + t.failed)).toFixed(1)}%`;
console.log(`  pass rate: results ${pct(total.result)}, errors ${pct(total.error)} (of non-skipped) in ${Date.now() - started} ms`);

const failures = outcomes.filter((o) => o.status === 'fail');
const md: string[] = [
  '# Rego conformance report',
  '',
  `Cases: ${root}`,
  '',
  '| folder | results passed | failed | skipped | errors passed | failed | skipped |',
  '| --- | --- | --- | --- | --- | --- | --- |',
];
for (const f of [...folders, total])
  md.push(`| ${f.folder} | ${f.result.passed} | ${f.result.failed} | ${f.result.skipped} | ${f.error.passed} | ${f.error.failed} | ${f.error.skipped} |`);
md.push('', `## Failures (${failures.length})`, '');
for (const o of failures) md.push(`### ${o.c.file} — ${o.c.note} (${o.kind})`, '', '```', (o.reason ?? '').slice(0, 2000), '```', '');
md.push('## Skipped', '');
for (const o of outcomes.filter((x) => x.status === 'skip')) md.push(`- ${o.c.file} — ${o.c.note}: ${o.reason}`);
mkdirSync(join(repo, 'reports'), { recursive: true });
writeFileSync(join(repo, 'reports/conformance.md'), `${md.join('\n')}\n`);
if (process.argv.includes('--verbose'))
  for (const o of failures) console.log(`FAIL ${o.c.file} :: ${o.c.note}\n  ${(o.reason ?? '').split('\n').join('\n  ')}`);
if (process.argv.includes('--write-pass-list')) {
  const ids = outcomes
    .filter((o) => o.status === 'pass')
    .map((o) => caseId(o.c))
    .sort();
  writeFileSync(join(repo, 'test/policy/rego/conformance-pass.json'), `${JSON.stringify(ids, null, 1)}\n`);
  console.log(`wrote ${ids.length} case ids to test/policy/rego/conformance-pass.json`);
}
