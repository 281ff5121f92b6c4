/**
 * Differential suite (issue 14, ADR 0020): every Rego corpus of the project through the real OPA
 * (`opa eval --format json`) and maestro's engine; any difference not on the documented list of
 * deliberate differences (known-differences.json) fails with a minimal repro. Plus seeded,
 * property-based generated policies and inputs (fast-check), batched into one opa call per module.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyPaths } from '../../../../src/policy/loader.js';
import { findConformanceRoot, loadCases, many } from '../../../../src/policy/rego/conformance/cases.js';
import { compile, evaluateRaw, formatJson, RegoError } from '../../../../src/policy/rego/index.js';
import { type Answer, canonical, type DiffItem, difference, maestroAnswer, opaAnswer, pool, repro } from './differential.js';
import { generatedBatch } from './generate.js';
import { findOpa } from './opa.js';

const here = import.meta.dirname;
const repo = join(here, '../../../..');
const known = JSON.parse(readFileSync(join(here, 'known-differences.json'), 'utf8')) as Array<{ id: string; reason: string }>;
const knownIds = new Map(known.map((k) => [k.id, k.reason]));
const opa = findOpa();
if (!opa.bin) console.warn(`[differential vs opa] skipped: ${opa.reason}`);

/** Policy directories of the project: shipped packs, fixtures/policy/*, any .rego under test/. */
function projectItems(): DiffItem[] {
  const items: DiffItem[] = [];
  const input = JSON.parse(readFileSync(join(repo, 'fixtures/policy/inputs/input.json'), 'utf8')) as unknown;
  const dirs = [
    ...readdirSync(join(repo, 'policies')).map((d) => join(repo, 'policies', d)),
    ...readdirSync(join(repo, 'fixtures/policy')).map((d) => join(repo, 'fixtures/policy', d)),
    ...regoDirs(join(repo, 'test')),
  ].filter((d) => statSync(d).isDirectory() && readdirSync(d).some((f) => f.endsWith('.rego')));
  for (const dir of dirs) {
    const id = relative(repo, dir);
    try {
      const loaded = loadPolicyPaths([dir]);
      items.push({ id, modules: loaded.modules, data: loaded.data, input, query: 'data' });
    } catch {
      // unloadable data (fixtures of loader errors): the modules alone still go through both engines
      const modules = readdirSync(dir)
        .filter((f) => f.endsWith('.rego'))
        .map((f) => ({ path: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
      items.push({ id, modules, input, query: 'data' });
    }
  }
  return items;
}

function regoDirs(root: string): string[] {
  const out = new Set<string>();
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.rego')) out.add(d);
    }
  };
  if (existsSync(root)) walk(root);
  return [...out];
}

/** The shared conformance cases (first input of multi-input cases). */
function conformanceItems(): DiffItem[] {
  const root = findConformanceRoot(here);
  if (!existsSync(root)) return [];
  return loadCases(root)
    .filter((c) => !c.skip)
    .map((c) => {
      const input = c.input === undefined ? undefined : many(c.input).items[0];
      return {
        id: c.id,
        modules: c.modules.map((text, i) => ({ path: `rego_${i}.rego`, text })),
        data: c.data ?? {},
        input,
        query: c.query,
        strict: c.strict ?? true,
      };
    });
}

/** OPA's answer; v0-only syntax that maestro accepts is retried with --v0-compatible. */
async function opaFor(item: DiffItem, ours: Answer): Promise<Answer> {
  const first = await opaAnswer(opa.bin!, item);
  if ('error' in first && first.error === 'rego_parse_error' && !('error' in ours && ours.error === 'rego_parse_error')) {
    return opaAnswer(opa.bin!, item, ['--v0-compatible']);
  }
  return first;
}

interface Finding {
  id: string;
  diff: string;
  item: DiffItem;
}

async function compare(items: DiffItem[]): Promise<Finding[]> {
  const found = await pool(items, 4, async (item) => {
    const ours = maestroAnswer(item);
    const theirs = await opaFor(item, ours);
    const diff = difference(ours, theirs);
    return diff ? { id: item.id, diff, item } : undefined;
  });
  return found.filter((f): f is Finding => f !== undefined);
}

/** Unlisted differences, each with its repro (also appended to $DIFF_REPORT when set). */
function report(findings: Finding[]): string[] {
  const out = findings.filter((f) => !knownIds.has(f.id)).map((f) => `DIFFERENCE ${f.id}\n  ${f.diff}\n  repro:\n${indent(repro(f.item))}`);
  if (process.env.DIFF_REPORT) appendFileSync(process.env.DIFF_REPORT, `${out.join('\n\n')}\n`);
  return out;
}
const indent = (s: string): string =>
  s
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

describe.skipIf(!opa.bin)('differential: maestro vs the real opa', () => {
  const seen = new Set<string>();

  it('the project policies (packs, fixtures, test policies) answer as opa does', async () => {
    const items = projectItems();
    expect(items.length).toBeGreaterThanOrEqual(8);
    const findings = await compare(items);
    for (const f of findings) seen.add(f.id);
    expect(report(findings)).toEqual([]);
  }, 120_000);

  it('the shared conformance cases answer as opa does (outside the documented differences)', async () => {
    const items = conformanceItems();
    const findings = await compare(items);
    for (const f of findings) seen.add(f.id);
    expect(report(findings)).toEqual([]);
  }, 300_000);

  it('generated policies and inputs (fast-check, seeded) answer as opa does, rule by rule', async () => {
    const seeds = [20261128, 14, 1616, 4242, 7];
    const batches = seeds.map((s) => generatedBatch(s, 60));
    const problems: string[] = [];
    await pool(
      seeds.map((seed, i) => ({ seed, b: batches[i]! })),
      2,
      async ({ seed, b }) => {
        const item: DiffItem = { id: `generated:${seed}`, modules: [{ path: 'gen.rego', text: b.module }], input: b.input, query: 'data.gen' };
        const ours = maestroAnswer(item);
        const theirs = await opaAnswer(opa.bin!, item);
        if ('error' in ours || 'error' in theirs) {
          seen.add(`generated:${seed}:module`);
          if (knownIds.has(`generated:${seed}:module`)) return;
          problems.push(`generated:${seed}:module failed: ${difference(ours, theirs) ?? ('error' in ours ? ours.message : '')}\n${indent(repro(item))}`);
          return;
        }
        const a = (ours.values[0] ?? {}) as Record<string, unknown>;
        const o = (theirs.values[0] ?? {}) as Record<string, unknown>;
        b.rules.forEach((rule, i) => {
          const k = `r${i}`;
          if (canonical(a[k]) === canonical(o[k])) return;
          seen.add(`generated:${seed}:${k}`);
          if (!knownIds.has(`generated:${seed}:${k}`))
            problems.push(
              `generated:${seed}:${k}: maestro ${canonical(a[k])}, opa ${canonical(o[k])}\n    package gen\n    ${rule}\n    # input.json ${JSON.stringify(b.input)}`,
            );
        });
      },
    );
    if (process.env.DIFF_REPORT) appendFileSync(process.env.DIFF_REPORT, `${problems.join('\n\n')}\n`);
    expect(problems).toEqual([]);
  }, 120_000);

  it('every documented difference is still a difference, with a reason', () => {
    for (const k of known) expect(k.reason.length, k.id).toBeGreaterThan(30);
    const stale = known.filter((k) => !seen.has(k.id)).map((k) => k.id);
    expect(stale, 'these documented differences no longer differ: remove them from known-differences.json').toEqual([]);
  });
});

describe('differential helpers', () => {
  it('numbers compare by value and key order does not matter', () => {
    expect(canonical({ b: 1e3, a: [1.5, 1000] })).toBe(canonical({ a: [1.5, 1000], b: 1000 }));
    expect(difference({ values: [1] }, { values: [2] })).toMatch(/maestro \[1\]; opa \[2\]/);
    expect(difference({ error: 'eval_type_error', message: 'x' }, { error: 'eval_type_error', message: 'y' })).toBeUndefined();
    expect(difference({ values: [] }, { error: 'rego_parse_error', message: 'z' })).toMatch(/maestro values \[\]; opa error rego_parse_error/);
  });
  it('generation is seeded: the same seed gives the same module', () => {
    expect(generatedBatch(1, 5).module).toBe(generatedBatch(1, 5).module);
    const b = generatedBatch(3, 20);
    const policy = compile([{ path: 'gen.rego', text: b.module }]);
    expect(() => evaluateRaw(policy, 'data.gen', { input: b.input })).not.toThrow();
    void formatJson;
    void RegoError;
  });
});
