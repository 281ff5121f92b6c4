import { describe, expect, it } from 'vitest';
import { json, maestro, repoRoot } from './helpers.js';

describe('maestro policy test', () => {
  it("reports FAIL and ERROR, hides passing tests without -v, and exits 2 (opa test's status for failing tests)", () => {
    const r = maestro(['policy', 'test', 'tests']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('tests/quota_test.rego:\n');
    expect(r.stdout).toMatch(/^data\.quota_test\.test_fails_on_purpose: FAIL \(\d+(\.\d+)?(ns|µs|ms|s)\)$/m);
    expect(r.stdout).toMatch(/^data\.quota_test\.test_undefined_is_failure: FAIL /m);
    expect(r.stdout).toMatch(/^data\.quota_test\.test_error_conflict: ERROR /m);
    expect(r.stdout).toContain('eval_conflict_error');
    expect(r.stdout).not.toContain('test_allow_under_max');
    expect(r.stdout).toMatch(/^PASS: 3\/7\nFAIL: 2\/7\nERROR: 1\/7\nSKIPPED: 1\/7\n$/m);
  });

  it('prints every test with -v, and `with input/data` overrides work', () => {
    const r = maestro(['policy', 'test', 'tests', '-v']);
    expect(r.stdout).toMatch(/^data\.quota_test\.test_allow_under_max: PASS \(/m);
    expect(r.stdout).toMatch(/^data\.quota_test\.test_deny_at_max: PASS \(/m);
    expect(r.stdout).toMatch(/^data\.quota_test\.test_with_data_override: PASS \(/m);
    expect(r.stdout).toMatch(/^data\.quota_test\.todo_test_later: SKIPPED$/m);
  });

  it('--run filters by regex on the full name; all passing exits 0', () => {
    const r = maestro(['policy', 'test', 'tests', '--run', 'quota_test\\.test_(allow|deny)', '-v']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PASS: 2/2');
    expect(r.stdout).not.toContain('FAIL');
  });

  it("--json prints one object per test, with opa test's keys", () => {
    const r = maestro(['policy', 'test', 'tests', '--json']);
    expect(r.code).toBe(2);
    const results = json<Array<{ name: string; duration: unknown; error?: { code: string } }>>(r);
    expect(results).toHaveLength(7);
    const byName = new Map(results.map((x) => [x.name, x]));
    expect(byName.get('test_allow_under_max')).toEqual({
      package: 'data.quota_test',
      name: 'test_allow_under_max',
      location: { file: 'tests/quota_test.rego', row: 7, col: 1 },
      duration: expect.any(Number),
    });
    expect(byName.get('test_fails_on_purpose')).toMatchObject({ fail: true });
    expect(byName.get('todo_test_later')).toMatchObject({ skip: true });
    expect(byName.get('test_error_conflict')?.error?.code).toBe('eval_conflict_error');
    for (const x of results) expect(typeof x.duration).toBe('number');
    const f = maestro(['policy', 'test', 'tests', '--format', 'json', '--run', 'override']);
    expect(json<unknown[]>(f)).toHaveLength(1);
  });

  it('exits 1 on parse/compile errors (as opa test) and runs the bench pack tests green', () => {
    const broken = maestro(['policy', 'test', 'broken']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('rego_parse_error');
    const r = maestro(['policy', 'test', 'bench/rego/pack'], { cwd: repoRoot });
    expect(r.stdout).toContain('PASS: 7/7');
    expect(r.code).toBe(0);
  });

  it('exits 0 with a note when no test exists, 1 with --fail-on-empty', () => {
    const r = maestro(['policy', 'test', 'basic']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no test cases found');
    expect(maestro(['policy', 'test', 'basic', '--fail-on-empty']).code).toBe(1);
  });
});
