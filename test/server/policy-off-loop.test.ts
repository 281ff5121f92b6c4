// A server evaluates policy off its event loop (issue 16 item 5, ADR 0016): with an evaluation stuck
// on its thread (injected delay far past the cut-off), the real `maestro serve` on loopback keeps
// answering GET /healthz promptly, the stuck decision is cut off and denied fail-closed with the
// reason, and /metrics exports the warm cache's hit and miss counters.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maestro, tempHome } from '../helpers/cli.js';
import { type Served, serve } from '../helpers/serve.js';

const t = tempHome('maestro-offloop-');
let srv: Served;
let token: string;
const MANIFEST =
  'apiVersion: maestro/v1\nkind: Workflow\nmetadata: { name: off-loop }\nspec:\n  region: US\n  resourceClass: small\n  tasks:\n    - { id: a, uses: shell, run: "true" }\n';

beforeAll(async () => {
  expect(maestro(t.home, ['init']).code).toBe(0);
  token = readFileSync(join(t.home, 'token'), 'utf8').trim();
  // Every evaluation on this server blocks its thread for 60 s; the cut-off is 6 s.
  srv = await serve(t.home, { MAESTRO_PDP_DELAY_MS: '60000', MAESTRO_PDP_CUTOFF_MS: '6000', MAESTRO_POLICY_THREADS: '1' });
});
afterAll(async () => {
  await srv?.stop();
  t.cleanup();
});

async function timed(path: string, init: RequestInit = {}): Promise<{ ms: number; status: number; body: string }> {
  const t0 = performance.now();
  const res = await fetch(`${srv.url}${path}`, init);
  const body = await res.text();
  return { ms: performance.now() - t0, status: res.status, body };
}

describe('policy evaluation off the event loop', () => {
  it('a stuck evaluation does not stall /healthz, and is cut off and denied fail-closed', async () => {
    const plan = timed('/api/plan', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ manifest: MANIFEST }),
    });
    const health: number[] = [];
    let settled = false;
    void plan.finally(() => (settled = true));
    // Probe health while the plan's decision is stuck on the evaluation thread (bounded: 200 probes).
    for (let i = 0; i < 200 && !settled; i++) {
      const h = await timed('/healthz');
      expect(h.status).toBe(200);
      health.push(h.ms);
      await new Promise((r) => setTimeout(r, 50));
    }
    const p = await plan;
    // The decision was stuck for the 6 s cut-off; meanwhile health kept answering, each probe far
    // sooner than the cut-off (on a busy CI host the first answers include the server's warm-up).
    expect(p.ms).toBeGreaterThanOrEqual(6000);
    expect(p.ms).toBeLessThan(20_000);
    expect(health.length).toBeGreaterThanOrEqual(20);
    expect(Math.max(...health)).toBeLessThan(2000);
    expect(p.status).toBe(200);
    const body = JSON.parse(p.body) as { allow: boolean; policy: { failClosed: boolean; reasons: Array<{ message: string }> } };
    expect(body.allow).toBe(false);
    expect(body.policy.failClosed).toBe(true);
    expect(body.policy.reasons.map((r) => r.message).join('\n')).toMatch(
      /policy evaluation did not finish within its 6000 ms cut-off .*the evaluation thread was stopped after \d+ ms; denied \(fail-closed\)/,
    );
  });

  it('/metrics exports mc_policy_cache_hits_total and mc_policy_cache_misses_total', async () => {
    const m = await timed('/metrics', { headers: { authorization: `Bearer ${token}` } });
    expect(m.status).toBe(200);
    expect(m.body).toMatch(/^# TYPE mc_policy_cache_hits_total counter$/m);
    expect(m.body).toMatch(/^# TYPE mc_policy_cache_misses_total counter$/m);
    // The thread compiled the six shipped packs (reported before it evaluated), then got stuck.
    expect(m.body).toMatch(/^mc_policy_cache_misses_total 6$/m);
    expect(m.body).toMatch(/^mc_policy_cache_hits_total 0$/m);
  });
});
