// Chaos drill (spec §9, PDP latency spike): an injected delay past the time budget fails closed.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, timeBudgetMs } from '../../../src/policy/packs/index.js';
import { getDecision } from '../../../src/store/policy.js';
import type { Session } from '../../../src/tenancy/index.js';
import { copyPacks, inputFor, tempSession, withEnv } from './helpers.js';

let s: Session;
beforeAll(async () => {
  s = await tempSession();
});
afterAll(() => s.close());

describe('fail-closed', () => {
  it('the budget defaults to 250 ms and MAESTRO_PDP_TIMEOUT_MS overrides it', () => {
    expect(timeBudgetMs(s.ctx)).toBe(250);
    expect(timeBudgetMs(withEnv(s, { MAESTRO_PDP_TIMEOUT_MS: '40' }).ctx)).toBe(40);
  });

  it('an injected delay over the budget denies an otherwise allowed run, with that reason, and records it', async () => {
    expect((await decide(s, { action: 'run', input: inputFor(s) })).outcome).toBe('allow');
    const slow = withEnv(s, { MAESTRO_PDP_DELAY_MS: '120', MAESTRO_PDP_TIMEOUT_MS: '60' });
    const d = await decide(slow, { action: 'run', input: inputFor(s) });
    expect(d.outcome).toBe('deny');
    expect(d.failClosed).toBe(true);
    expect(d.evalMs).toBeGreaterThanOrEqual(120);
    expect(d.reasons.at(-1)).toMatchObject({ pack: '*', rule: 'timeout' });
    expect(d.reasons.at(-1)!.message).toMatch(/over its 60 ms time budget: denied \(fail-closed\)/);
    expect(getDecision(s.store.db, d.id)!.outcome).toBe('deny');
  });

  it('a delay within the budget still allows', async () => {
    const d = await decide(withEnv(s, { MAESTRO_PDP_DELAY_MS: '5', MAESTRO_PDP_TIMEOUT_MS: '5000' }), { action: 'run', input: inputFor(s) });
    expect(d.outcome).toBe('allow');
  });

  it('a pack that does not compile fails closed, naming the pack', async () => {
    const packs = copyPacks();
    writeFileSync(join(packs, 'rbac', 'policy.rego'), readRbacBroken());
    const t = await tempSession({ MAESTRO_PACKS_DIR: packs });
    try {
      const d = await decide(t, { action: 'run', input: inputFor(t) });
      expect(d.outcome).toBe('deny');
      expect(d.reasons[0]).toMatchObject({ pack: 'rbac', rule: 'compile' });
    } finally {
      t.close();
    }
  });
});

function readRbacBroken(): string {
  return '# annotations:\n# title: RBAC\n# summary: broken\n# examples:\n# - input: {}\n#   deny: false\npackage maestro.rbac\n\nimport rego.v1\n\ndeny contains msg if {\n\tmsg := \n}\n';
}
