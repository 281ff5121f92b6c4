import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCases } from '../../../src/policy/rego/conformance/cases.js';
import { runCase, summarize, type SkipEntry } from '../../../src/policy/rego/conformance/runner.js';

const here = join(import.meta.dirname);
const root = join(here, '../../../../shared/conformance/rego');
const floor = JSON.parse(readFileSync(join(here, 'conformance-floor.json'), 'utf8')) as { results: number; errors: number };
const skips = JSON.parse(readFileSync(join(here, 'conformance-skip.json'), 'utf8')) as SkipEntry[];

describe('Rego conformance (shared/conformance/rego)', () => {
  it('passes at least the recorded floor of result cases and error cases', () => {
    const outcomes = loadCases(root).map((c) => runCase(c, skips));
    const { total } = summarize(outcomes);
    const failures = outcomes.filter((o) => o.status === 'fail').map((o) => `${o.c.file} :: ${o.c.note}`);
    expect(total.result.passed, `result cases; failures:\n${failures.join('\n')}`).toBeGreaterThanOrEqual(floor.results);
    expect(total.error.passed, `error cases; failures:\n${failures.join('\n')}`).toBeGreaterThanOrEqual(floor.errors);
  }, 60_000);

  it('keeps every skip entry pointing at an existing case, with a reason', () => {
    const cases = loadCases(root);
    for (const s of skips) {
      expect(s.reason.length).toBeGreaterThan(20);
      expect(cases.some((c) => c.file === s.file && c.note === s.note), `${s.file} :: ${s.note}`).toBe(true);
    }
  });
});
