/**
 * SIGTERM while a keep-alive client (Node's fetch) follows logs and holds an idle connection
 * (issue 16 item 6): the real `maestro serve` ends the stream and exits within 2 s.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maestro, tempHome } from '../helpers/cli.js';
import { serve, type Served } from '../helpers/serve.js';

const t = tempHome();
let srv: Served;
let admin: string;
let runId: string | undefined;

beforeAll(async () => {
  maestro(t.home, ['init']);
  admin = readFileSync(join(t.home, 'token'), 'utf8').trim();
  srv = await serve(t.home);
});
afterAll(async () => {
  await srv?.stop('SIGKILL');
  if (runId) maestro(t.home, ['cancel', runId], { MAESTRO_TOKEN: admin });
  t.cleanup();
});

describe('maestro serve shutdown', () => {
  it('closes a following keep-alive stream and an idle keep-alive connection within 2 s of SIGTERM', async () => {
    const manifest = join(t.home, '..', 'slow.yaml');
    writeFileSync(
      manifest,
      'apiVersion: maestro/v1\nkind: Workflow\nmetadata: { name: slow }\nspec:\n  region: US\n  resourceClass: small\n  tasks:\n    - { id: tick, uses: shell, run: "echo tick; sleep 60" }\n',
    );
    const d = maestro(t.home, ['run', manifest, '--detach', '--json', '--remote', srv.url], { MAESTRO_TOKEN: admin });
    expect(d.code, d.stderr).toBe(0);
    runId = d.json().id as string;
    const headers = { authorization: `Bearer ${admin}`, connection: 'keep-alive' };
    // An idle keep-alive connection (undici pools it) ...
    const h = await fetch(`${srv.url}/healthz`, { headers });
    expect(h.headers.get('connection') ?? 'keep-alive').toBe('keep-alive');
    await h.text();
    // ... and a streaming one.
    const res = await fetch(`${srv.url}/api/executions/${runId}/logs?follow=1`, { headers });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let got = '';
    const deadline = Date.now() + 30_000;
    while (!got.includes('tick') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      got += Buffer.from(value).toString();
    }
    expect(got).toContain('"line":"tick"');
    const rest = (async () => {
      for (;;) if ((await reader.read().catch(() => ({ done: true }))).done) return Date.now();
    })();
    const t0 = Date.now();
    const code = await srv.stop('SIGTERM');
    const exitedMs = Date.now() - t0;
    expect(code).toBe(0);
    expect(exitedMs).toBeLessThan(2000);
    expect((await rest) - t0).toBeLessThan(2000);
  }, 60_000);
});
