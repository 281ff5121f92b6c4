/**
 * Executions waiting for a slot (wait mode) hold none of the tenant's concurrency quota: whoami's
 * "in use" and the policy input's quota (inUse, active) count only the slot holders, so a denial
 * names the holders, not every waiting execution. Nothing claims here (`serve --workers 0`), so the
 * holders stay queued and the waiting ones stay waiting.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maestro, tempHome } from '../helpers/cli.js';
import { serve } from '../helpers/serve.js';
import { writeManifest } from '../runner/e2e-helpers.js';

const manifest =
  'apiVersion: maestro/v1\nkind: Workflow\nmetadata: { name: waits }\nspec:\n  region: US\n  resourceClass: small\n  tasks:\n    - { id: t, uses: shell, run: "true" }\n';

describe('quota in use with executions waiting for a slot', () => {
  const t = tempHome();
  const ids: string[] = [];
  beforeAll(async () => {
    expect(maestro(t.home, ['init']).code).toBe(0);
    expect(maestro(t.home, ['tenants', 'set', 'default', '--max-concurrent', '2']).code).toBe(0);
    const token = readFileSync(join(t.home, 'token'), 'utf8').trim();
    const srv = await serve(t.home, {}, ['--workers', '0']);
    try {
      for (let i = 0; i < 6; i++) {
        const res = await fetch(`${srv.url}/api/executions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ manifest, name: 'waits.yaml', queue: true }),
        });
        expect(res.status).toBe(201);
        ids.push(((await res.json()) as { id: string }).id);
      }
    } finally {
      await srv.stop();
    }
  }, 60_000);
  afterAll(() => t.cleanup());

  it('whoami counts the 2 slot holders, not the 4 waiting', () => {
    const w = maestro(t.home, ['whoami', '--json']);
    expect(w.code, w.stderr).toBe(0);
    expect(w.json().quotas).toEqual({ maxConcurrent: 2, inUse: 2 });
  });

  it('a run over the quota is denied naming the holders only (exit 3)', () => {
    const m = writeManifest(join(t.home, '..'), 'over', [{ id: 'o', run: 'true' }]);
    const r = maestro(t.home, ['run', m, '--detach', '--json']);
    expect(r.code, r.stderr).toBe(3);
    const reason = r.json().reason as string;
    expect(reason).toContain(`at concurrency quota (2/2 running: ${ids[0]}, ${ids[1]})`);
    for (const waiting of ids.slice(2)) expect(reason).not.toContain(waiting);
  });
});
