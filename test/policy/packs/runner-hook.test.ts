// The runner's decide hook (runDecideHook) plugged into the real runner: denied runs never start,
// exit 3, and the decision lands in the store and in decisions.json.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../../../src/manifest/index.js';
import { runDecideHook } from '../../../src/policy/packs/index.js';
import { runManifest } from '../../../src/runner/index.js';
import { decisionsForExecution } from '../../../src/store/policy.js';
import type { Session } from '../../../src/tenancy/index.js';
import { REPO, tempSession } from './helpers.js';

let s: Session;
beforeAll(async () => {
  s = await tempSession();
});
afterAll(() => s.close());

const hello = join(REPO, 'fixtures', 'manifests', 'hello.yaml');

describe('runDecideHook in the runner', () => {
  it('sandbox-required denies --sandbox none for a tenant that requires the sandbox', async () => {
    const r = await runManifest(s, { manifestPath: hello, sandbox: 'none', hooks: { decide: runDecideHook() } });
    expect(r.exitCode).toBe(3);
    expect(r.record.status).toBe('denied');
    const rows = decisionsForExecution(s.store.db, r.record.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.outcome).toBe('deny');
    const file = JSON.parse(readFileSync(join(s.ctx.home, 'executions', r.record.id, 'decisions.json'), 'utf8'));
    expect(file[0].reasons[0].pack).toBe('sandbox-required');
  });

  it('residency denies a request for another region', async () => {
    const r = await runManifest(s, { manifestPath: hello, sandbox: 'none', hooks: { decide: runDecideHook({ region: 'EU' }) } });
    expect(r.exitCode).toBe(3);
    const reasons = JSON.parse(decisionsForExecution(s.store.db, r.record.id)[0]!.reasons) as Array<{ pack: string; message: string }>;
    expect(reasons.map((x) => x.pack).sort()).toEqual(['residency', 'sandbox-required']);
    expect(reasons.find((x) => x.pack === 'residency')!.message).toBe('residency: workflow hello runs in region US but the request is for region EU');
  });

  it('leaves decisions.json to the runner: the hook records the decision in the store and writes no file itself (one write per publish)', async () => {
    const id = 'ex_hookonly1';
    const exDir = join(s.ctx.home, 'executions', id);
    mkdirSync(exDir, { recursive: true });
    const loaded = await loadManifest(hello, s.ctx);
    const out = await runDecideHook()({ session: s, loaded, executionId: id, sandbox: 'none', estimatedCostMicros: null });
    expect(out.allow).toBe(false);
    expect(existsSync(join(exDir, 'decisions.json'))).toBe(false);
    expect(decisionsForExecution(s.store.db, id)).toHaveLength(1);
    expect((out.decisions as Array<{ executionId: string }>)[0]!.executionId).toBe(id);
  });
});
