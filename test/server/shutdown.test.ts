/**
 * SIGTERM while a keep-alive client (Node's fetch) follows logs and holds an idle connection
 * (issue 16 item 6): the real `maestro serve` ends the stream and exits within 2 s.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maestro, tempHome } from '../helpers/cli.js';
import { type Served, serve } from '../helpers/serve.js';

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
    // An idle keep-alive connection, observed at the socket: one answered request, then silence ...
    const { hostname, port } = new URL(srv.url);
    const sock = connect(Number(port), hostname);
    let answered = '';
    sock.on('data', (d) => (answered += d));
    sock.write(`GET /healthz HTTP/1.1\r\nHost: ${hostname}\r\nConnection: keep-alive\r\n\r\n`);
    const idleClosed = new Promise<number>((r) => sock.once('close', () => r(Date.now())));
    while (!answered.includes('"status":"ok"')) await new Promise((r) => setTimeout(r, 20));
    expect(answered).toMatch(/^HTTP\/1\.1 200/);
    // ... and a streaming one from Node's fetch (undici, keep-alive).
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
    // Connections: both closed within 2 s of the signal.
    expect((await rest) - t0).toBeLessThan(2000);
    expect((await idleClosed) - t0).toBeLessThan(2000);
    // The process: the embedded pool gives the running execution its grace (MAESTRO_WORKER_GRACE_MS,
    // 2 s by default) while HTTP is already closed; nothing waits on a keep-alive timeout (was ~70 s).
    expect(exitedMs).toBeLessThan(2000 + 1500);
  }, 60_000);
});
