import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findConformanceRoot, loadCases } from '../../../src/policy/rego/conformance/cases.js';
import { errorMatches } from '../../../src/policy/rego/conformance/classify.js';
import { runCase, summarize, type SkipEntry } from '../../../src/policy/rego/conformance/runner.js';
import { RegoError } from '../../../src/policy/rego/index.js';

const here = join(import.meta.dirname);
const root = findConformanceRoot(here);
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

describe('error-case judging', () => {
  const err = (code: string, message: string) => new RegoError([{ code, message, location: { file: 'm', row: 1, col: 1 } }]);

  it('accepts an error of the category the case is about, naming the same builtin', () => {
    expect(errorMatches('`indexof` expects string argument.', err('eval_type_error', 'indexof: operand 1 must be string but got number')).ok).toBe(true);
    expect(errorMatches('`add` expects numeric argument.', err('eval_type_error', 'plus: operand 2 must be number but got string')).ok).toBe(true);
    expect(errorMatches('rules should not produce multiple outputs', err('eval_conflict_error', 'complete rules must not produce multiple outputs')).ok).toBe(true);
  });

  it('rejects errors caused by missing support or about something else', () => {
    expect(errorMatches('`indexof` expects string argument.', err('rego_type_error', 'undefined function indexof')).ok).toBe(false);
    expect(errorMatches('`indexof` expects string argument.', err('eval_type_error', 'lower: operand 1 must be string but got number')).ok).toBe(false);
    expect(errorMatches('recursion detected', err('rego_unsafe_var_error', 'var x is unsafe')).ok).toBe(false);
    expect(errorMatches('some wording nobody maps', err('eval_builtin_error', 'x')).ok).toBe(false);
  });
});
