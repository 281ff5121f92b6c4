import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findConformanceRoot, loadCases } from '../../../src/policy/rego/conformance/cases.js';
import { errorMatches } from '../../../src/policy/rego/conformance/classify.js';
import { caseId, runCase, type SkipEntry } from '../../../src/policy/rego/conformance/runner.js';
import { RegoError } from '../../../src/policy/rego/index.js';

const here = join(import.meta.dirname);
const root = findConformanceRoot(here);
/** Ids (`file :: note`) of the cases that must pass: one that passed and now fails breaks the suite. */
const passList = JSON.parse(readFileSync(join(here, 'conformance-pass.json'), 'utf8')) as string[];
const skips = JSON.parse(readFileSync(join(here, 'conformance-skip.json'), 'utf8')) as SkipEntry[];

describe('Rego conformance (shared/conformance/rego)', () => {
  const outcomes = loadCases(root).map((c) => runCase(c, skips));
  const byId = new Map(outcomes.map((o) => [caseId(o.c), o]));

  it('case ids are unique', () => {
    expect(byId.size).toBe(outcomes.length);
  });

  it('every case on the pass list still passes', () => {
    const broken = passList.filter((id) => byId.get(id)?.status !== 'pass').map((id) => `${id}\n    ${byId.get(id)?.reason ?? 'case not found'}`);
    expect(broken, `cases that passed before and fail now:\n${broken.join('\n')}`).toEqual([]);
  }, 60_000);

  it('the pass list is complete: no passing case is missing from it', () => {
    const listed = new Set(passList);
    const unlisted = outcomes.filter((o) => o.status === 'pass' && !listed.has(caseId(o.c))).map((o) => caseId(o.c));
    expect(unlisted, 'newly passing cases: run `npm run build && npm run conformance -- --write-pass-list` and commit the list').toEqual([]);
  });

  it('no case fails that is neither on the pass list nor skipped with a reason', () => {
    const failing = outcomes.filter((o) => o.status === 'fail').map((o) => `${caseId(o.c)}: ${o.reason ?? ''}`);
    expect(failing).toEqual([]);
  });

  it('keeps every skip entry pointing at an existing case, with a reason', () => {
    const cases = outcomes.map((o) => o.c);
    for (const s of skips) {
      expect(s.reason.length).toBeGreaterThan(20);
      expect(
        cases.some((c) => c.file === s.file && c.note === s.note),
        `${s.file} :: ${s.note}`,
      ).toBe(true);
    }
  });
});

describe('error-case judging', () => {
  const err = (code: string, message: string) => new RegoError([{ code, message, location: { file: 'm', row: 1, col: 1 } }]);

  it('accepts an error of the category the case is about, naming the same builtin', () => {
    expect(errorMatches('`indexof` expects string argument.', err('eval_type_error', 'indexof: operand 1 must be string but got number')).ok).toBe(true);
    expect(errorMatches('`add` expects numeric argument.', err('eval_type_error', 'plus: operand 2 must be number but got string')).ok).toBe(true);
    expect(errorMatches('rules should not produce multiple outputs', err('eval_conflict_error', 'complete rules must not produce multiple outputs')).ok).toBe(
      true,
    );
  });

  it('rejects errors caused by missing support or about something else', () => {
    expect(errorMatches('`indexof` expects string argument.', err('rego_type_error', 'undefined function indexof')).ok).toBe(false);
    expect(errorMatches('`indexof` expects string argument.', err('eval_type_error', 'lower: operand 1 must be string but got number')).ok).toBe(false);
    expect(errorMatches('recursion detected', err('rego_unsafe_var_error', 'var x is unsafe')).ok).toBe(false);
    expect(errorMatches('some wording nobody maps', err('eval_builtin_error', 'x')).ok).toBe(false);
  });
});
