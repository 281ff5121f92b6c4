// MC-CAT-742: every annotated example of every shipped pack is executed, through the engine's own
// pack evaluation, and must give the outcome it states.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../../src/core/context.js';
import { annotationsOf, evaluatePack, listPackDirs, type Pack, packData, rbacData, readPack } from '../../../src/policy/packs/index.js';
import { compile, evaluateValue } from '../../../src/policy/rego/index.js';

const ROOT = join(import.meta.dirname, '../../..');
const ctx = createContext({ env: { MAESTRO_HOME: '/nonexistent-maestro-home' }, cwd: ROOT });

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] =
      cur && v && typeof cur === 'object' && typeof v === 'object' && !Array.isArray(v)
        ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

const packs: Pack[] = listPackDirs(ctx).map((r) => readPack(r.dir, r.origin, ROOT));

describe('annotated examples', () => {
  it('every shipped pack has at least two examples, one deny and one not', () => {
    for (const p of packs) {
      expect(
        annotationsOf(p).examples.some((e) => e.deny),
        p.meta.id,
      ).toBe(true);
      expect(
        annotationsOf(p).examples.some((e) => !e.deny),
        p.meta.id,
      ).toBe(true);
    }
  });
  for (const pack of packs) {
    annotationsOf(pack).examples.forEach((ex, i) => {
      it(`${pack.meta.id} example ${i + 1} (policy.rego:${ex.line}) → deny ${ex.deny}${ex.warn !== undefined ? `, warn ${ex.warn}` : ''}`, () => {
        const data = deepMerge(packData([{ pack, config: undefined }]), ex.data ?? {});
        const v = evaluatePack(pack, ex.input, data, { timeoutMs: 5000 });
        expect(v.deny.length > 0, JSON.stringify(v.deny)).toBe(ex.deny);
        if (ex.warn !== undefined) expect(v.warn.length > 0, JSON.stringify(v.warn)).toBe(ex.warn);
        // Every message names its pack (quota keeps the runner's issue-4 wording: "tenant t at concurrency quota (n/cap running: …)").
        for (const m of [...v.deny, ...v.warn]) expect(m.message.includes(pack.meta.id), m.message).toBe(true);
      });
    });
  }
  it("the rbac test fixture is the engine's ROLE_PERMISSIONS map (one source)", () => {
    const files = ['policy.rego', 'policy_test.rego'].map((f) => ({ path: f, text: readFileSync(join(ROOT, 'policies', 'rbac', f), 'utf8') }));
    const fixture = evaluateValue(compile(files), 'data.maestro.rbac_test.fixture', {});
    expect(fixture).toEqual(rbacData());
  });

  it('pack.json title and summary agree with the annotations', () => {
    for (const p of packs) {
      expect(p.meta.title, p.meta.id).toBe(annotationsOf(p).title);
      expect(p.meta.summary, p.meta.id).toBe(annotationsOf(p).summary);
    }
  });
});
