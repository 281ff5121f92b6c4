// `policy test` beside the real `opa test`: exit codes, `--format json` keys and outcomes, coverage
// reports line by line, and --threshold (which also lists the uncovered lines with their source).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maestro, noteSkip, opa, opaBin, repoRoot } from './opa.js';

noteSkip('test-parity.test');
const hasOpa = opaBin !== undefined;
const home = mkdtempSync(join(tmpdir(), 'mc-test-parity-'));

interface OpaResult {
  name: string;
  package: string;
  location: { file: string; row: number; col: number };
  fail?: boolean;
  skip?: boolean;
  error?: { code: string; location?: { file: string; row: number } };
  output?: string;
  duration: number;
}

function byName(rs: OpaResult[]): OpaResult[] {
  return [...rs].sort((a, b) => `${a.package}.${a.name}`.localeCompare(`${b.package}.${b.name}`));
}

/** What must agree: keys (duration's value aside), outcome, error code and location, print output. */
function shape(r: OpaResult): unknown {
  return {
    keys: Object.keys(r).sort(),
    name: `${r.package}.${r.name}`,
    location: r.location,
    fail: r.fail,
    skip: r.skip,
    error: r.error ? { code: r.error.code, file: r.error.location?.file, row: r.error.location?.row } : undefined,
    output: r.output,
  };
}

const printing = mkdtempSync(join(tmpdir(), 'mc-print-'));
writeFileSync(join(printing, 'p_test.rego'), 'package pt\nimport rego.v1\ntest_prints if { print("hi", 1); true }\ntest_div if { 1 / 0 == 1 }\n');
const skipping = mkdtempSync(join(tmpdir(), 'mc-skip-'));
writeFileSync(join(skipping, 's_test.rego'), 'package st\nimport rego.v1\ntest_ok if true\ntodo_test_later if false\n');

const suites: Array<[string, string[]]> = [
  ...['budget', 'quota', 'rbac', 'residency', 'resource-class', 'sandbox-required'].map((p): [string, string[]] => [`pack ${p}`, [`policies/${p}`]]),
  ['failing and erroring fixture', ['fixtures/policy/tests']],
  ['coverage fixture', ['fixtures/policy/cover']],
  ['coverage of bodies skipped by the rule index', ['fixtures/policy/cover-index']],
  ['print output and a failing division', [printing]],
  ['a skipped test only', [skipping]],
  ['a parse error', ['fixtures/policy/broken']],
  ['a missing path', ['fixtures/policy/nope']],
];

describe('policy test --format json vs opa test --format json', () => {
  for (const [what, paths] of suites) {
    it.skipIf(!hasOpa)(`${what}: same exit status, keys and outcomes`, () => {
      const theirs = opa(['test', '--format', 'json', ...paths], { cwd: repoRoot });
      const ours = maestro(['policy', 'test', '--format', 'json', ...paths], { home });
      expect(ours.status, ours.stderr).toBe(theirs.status);
      if (theirs.status === 1) return; // loading failed: no results document
      const a = byName(JSON.parse(theirs.stdout) as OpaResult[]);
      const b = byName(JSON.parse(ours.stdout) as OpaResult[]);
      expect(b.map(shape)).toEqual(a.map(shape));
      for (const r of b) expect(r.duration).toBeTypeOf('number');
    });
  }

  it.skipIf(!hasOpa)('--exit-zero-on-skipped, --fail-on-empty and a bad --threshold exit as opa does', () => {
    const empty = mkdtempSync(join(tmpdir(), 'mc-empty-'));
    writeFileSync(join(empty, 'e.rego'), 'package e\n');
    for (const args of [['--exit-zero-on-skipped', skipping], ['--fail-on-empty', empty], [empty], ['--threshold', '150', 'policies/quota']]) {
      const theirs = opa(['test', ...args], { cwd: repoRoot });
      const ours = maestro(['policy', 'test', ...args], { home });
      expect(ours.status, `${args.join(' ')}: ${ours.stderr}`).toBe(theirs.status);
    }
  });
});

interface Cov {
  files: Record<
    string,
    { covered?: Range[]; not_covered?: Array<Range & { kinds?: string[] }>; covered_lines?: number; not_covered_lines?: number; coverage?: number }
  >;
  covered_lines: number;
  not_covered_lines: number;
  coverage: number;
}
interface Range {
  start: { row: number; col?: number };
  end: { row: number; col?: number };
  kinds?: string[];
}

function rows(rs: Range[] | undefined): Set<number> {
  const out = new Set<number>();
  for (const r of rs ?? []) for (let i = r.start.row; i <= r.end.row; i++) out.add(i);
  return out;
}

describe('policy test --coverage vs opa test --coverage', () => {
  for (const [what, paths] of suites.filter(([w]) => w.startsWith('pack') || w.startsWith('coverage'))) {
    it.skipIf(!hasOpa)(`${what}: the same covered, not-covered and index-excluded lines, the same counts`, () => {
      const theirs = JSON.parse(opa(['test', '--coverage', '--format', 'json', ...paths], { cwd: repoRoot }).stdout) as Cov;
      const run = maestro(['policy', 'test', '--coverage', ...paths], { home });
      expect(run.status, run.stderr).toBe(0);
      const ours = JSON.parse(run.stdout) as Cov;
      expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
      expect(Object.keys(ours.files).sort()).toEqual(Object.keys(theirs.files).sort());
      const sorted = (s: Set<number>): number[] => [...s].sort((x, y) => x - y);
      const excluded = (rs: Range[] | undefined): number[] => sorted(rows((rs ?? []).filter((r) => (r.kinds ?? []).includes('index_excluded'))));
      for (const [file, t] of Object.entries(theirs.files)) {
        const o = ours.files[file]!;
        expect(sorted(rows(o.not_covered)), `${file} not covered`).toEqual(sorted(rows(t.not_covered)));
        expect(sorted(rows(o.covered)), `${file} covered`).toEqual(sorted(rows(t.covered)));
        expect(excluded(o.not_covered), `${file} index_excluded`).toEqual(excluded(t.not_covered));
        expect([o.covered_lines, o.not_covered_lines, o.coverage]).toEqual([t.covered_lines, t.not_covered_lines, t.coverage]);
      }
      expect([ours.covered_lines, ours.not_covered_lines, ours.coverage]).toEqual([theirs.covered_lines, theirs.not_covered_lines, theirs.coverage]);
    });
  }

  it('a body the rule index skips: its expressions up to the last indexed one are index_excluded, nothing in it covered', () => {
    const run = maestro(['policy', 'test', '--coverage', 'fixtures/policy/cover-index'], { home });
    expect(run.status, run.stderr).toBe(0);
    const f = (JSON.parse(run.stdout) as Cov).files['fixtures/policy/cover-index/index.rego']!;
    const excluded = (f.not_covered ?? []).filter((r) => (r.kinds ?? []).includes('index_excluded')).map((r) => r.start.row);
    // a: `x := 1` and `input.user == "root"` (not `x > 0`); b, c, d, f: their one expression; g: both
    expect(excluded).toEqual([7, 8, 12, 14, 16, 20, 23, 24]);
    expect([...rows(f.covered)]).toEqual([18]); // e: input.user = "bob" holds
  });

  it('--threshold: below it, exit 2 with the uncovered lines and their source; at or above it, exit 0', () => {
    const below = maestro(['policy', 'test', 'fixtures/policy/cover', '--threshold', '95'], { home });
    expect(below.status).toBe(2);
    expect(below.stderr).toMatch(/Code coverage threshold not met: got \d+\.\d\d instead of 95\.00/);
    expect(below.stderr).toContain('fixtures/policy/cover/cov.rego:28: every_positive if {');
    expect(below.stderr).toContain('fixtures/policy/cover/cov.rego:26: } else := 0');
    expect(below.stderr).not.toContain('cov.rego:8:');
    const report = JSON.parse(below.stdout) as Cov;
    const met = maestro(['policy', 'test', 'fixtures/policy/cover', '--threshold', String(Math.floor(report.coverage))], { home });
    expect(met.status, met.stderr).toBe(0);
    expect(met.stderr).not.toContain('not met');
  });

  it.skipIf(!hasOpa)('opa misses the same threshold', () => {
    expect(opa(['test', 'fixtures/policy/cover', '--threshold', '95'], { cwd: repoRoot }).status).toBe(2);
  });

  it('coverage of a file whose only rules never run is 0 and lists every line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-cov0-'));
    mkdirSync(join(dir, 'p'));
    writeFileSync(join(dir, 'p', 'never.rego'), 'package never\nimport rego.v1\nunused if {\n\tinput.x == 1\n}\n');
    writeFileSync(join(dir, 'p', 't_test.rego'), 'package t\nimport rego.v1\ntest_true if true\n');
    const run = maestro(['policy', 'test', join(dir, 'p'), '--coverage'], { home });
    const cov = JSON.parse(run.stdout) as Cov;
    const file = cov.files[join(dir, 'p', 'never.rego')]!;
    expect(file.covered_lines).toBeUndefined();
    expect([...rows(file.not_covered)]).toEqual([3, 4]);
    expect(cov.coverage).toBeCloseTo((100 * 1) / 3, 5);
  });
});
