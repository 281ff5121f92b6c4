// Runs every pack's policy_test.rego test_* rules through the Rego engine directly.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, evaluate, listRules } from '../../../src/policy/rego/index.js';

const ROOT = join(import.meta.dirname, '../../../policies');
const PACKS = readdirSync(ROOT).filter((d) => !d.startsWith('.') && readdirSync(join(ROOT, d)).includes('pack.json'));

describe('policy_test.rego of every shipped pack', () => {
  it('finds the six packs', () => {
    expect(PACKS.sort()).toEqual(['budget', 'quota', 'rbac', 'residency', 'resource-class', 'sandbox-required']);
  });
  for (const id of PACKS) {
    const files = ['policy.rego', 'policy_test.rego'].map((f) => ({ path: `policies/${id}/${f}`, text: readFileSync(join(ROOT, id, f), 'utf8') }));
    const policy = compile(files);
    const tests = listRules(policy).filter((r) => r.name.startsWith('test_'));
    it(`${id} has tests`, () => expect(tests.length).toBeGreaterThanOrEqual(3));
    for (const t of tests) {
      it(`${id}: ${t.name}`, () => {
        const r = evaluate(policy, t.path.startsWith('data.') ? t.path : `data.${t.path}`, {});
        expect(r.results[0]?.expressions[0]?.value, `${t.path} at ${t.location.file}:${t.location.row}`).toBe(true);
      });
    }
  }
});
