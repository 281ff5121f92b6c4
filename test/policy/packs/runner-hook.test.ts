// The runner's decide hook (runDecideHook) plugged into the real runner: denied runs never start,
// exit 3, and the decision lands in the store and in decisions.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
