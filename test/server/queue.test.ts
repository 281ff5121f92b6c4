/**
 * The execution service behind `maestro serve` (issue 11): 200 concurrent publishes over HTTP with the
 * quota at 10 never run more than 10 at once; the rest are denied (default) or wait queued and then run
 * (`"queue": true`); past --max-queue the server answers 429 with Retry-After. Real server, real
 * sandbox, real SQLite (integrity checked afterwards).
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlite } from '../../src/store/sqlite-driver.js';
import { maestro, tempHome } from '../helpers/cli.js';
import { type Served, serve } from '../helpers/serve.js';
import { unavailableReason } from '../runner/escape/helpers.js';

// better-sqlite3 12 or 13 by Node major, as the engine picks it (ADR 0034).
const Database = sqlite();

const reason = unavailableReason();
const ENV = { MAESTRO_LEASE_MS: '5000', MAESTRO_PDP_TIMEOUT_MS: '20000' };

const manifest = (name: string, run: string) =>
  [
    'apiVersion: maestro/v1',
    'kind: Workflow',
    `metadata: { name: ${name} }`,
    'spec:',
    '  region: US',
    '  resourceClass: small',
    '  tasks:',
    '    - id: t',
    '      uses: shell',
    `      run: ${JSON.stringify(run)}`,
    '      resources: { cpu: 1, memoryMB: 128, timeoutSec: 60 }',
    '',
  ].join('\n');

interface Publish {
  status: number;
  body: { id?: string; status?: string; reason?: string | null; error?: { code: string; message: string } };
  retryAfter: string | null;
}

async function publish(srv: Served, token: string, body: Record<string, unknown>): Promise<Publish> {
  const res = await fetch(`${srv.url}/api/executions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Publish['body'], retryAfter: res.headers.get('retry-after') };
}

/** Samples the tenant's running and slot-holding counts every 50 ms until stopped; returns the maxima. */
function sampler(home: string) {
  const db = new Database(join(home, 'maestro.db'), { readonly: true });
  const running = db.prepare("select count(*) as n from executions where status = 'running'");
  const holding = db.prepare("select count(*) as n from executions where status in ('queued', 'running') and waiting = 0");
  const max = { running: 0, holding: 0, samples: 0 };
  const timer = setInterval(() => {
    try {
      max.running = Math.max(max.running, (running.get() as { n: number }).n);
      max.holding = Math.max(max.holding, (holding.get() as { n: number }).n);
      max.samples += 1;
    } catch {
      /* busy: next sample */
    }
  }, 50);
  return {
    max,
    count(sql: string): number {
      return (db.prepare(sql).get() as { n: number }).n;
    },
    stop() {
      clearInterval(timer);
      db.close();
    },
  };
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.skipIf(reason !== null)(`execution service over HTTP${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const t = tempHome();
  let srv: Served;
  let token: string;

  beforeAll(async () => {
    expect(maestro(t.home, ['init']).code).toBe(0);
    token = readFileSync(join(t.home, 'token'), 'utf8').trim();
    expect(maestro(t.home, ['tenants', 'set', 'default', '--max-concurrent', '10'], { MAESTRO_TOKEN: token }).code).toBe(0);
    srv = await serve(t.home, ENV, ['--workers', '40']);
  }, 60_000);
  afterAll(async () => {
    await srv?.stop();
    t.cleanup();
  });

  it('200 concurrent publishes with the quota at 10: never more than 10 running; the rest denied, naming the holders', async () => {
    const s = sampler(t.home);
    try {
      const results = await Promise.all(Array.from({ length: 200 }, () => publish(srv, token, { manifest: manifest('burst', 'sleep 3'), name: 'burst.yaml' })));
      for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(201);
      const admitted = results.filter((r) => r.body.status !== 'denied');
      const denied = results.filter((r) => r.body.status === 'denied');
      expect(admitted.length).toBeGreaterThanOrEqual(10);
      expect(denied.length).toBeGreaterThan(0);
      for (const d of denied) expect(d.body.reason).toMatch(/^tenant default at concurrency quota \(10\/10 running: ex_/);
      await until(
        () => s.count("select count(*) as n from executions where status in ('queued', 'running')") === 0,
        180_000,
        'the admitted executions to finish',
      );
      expect(s.count("select count(*) as n from executions where workflow_name = 'burst' and status = 'succeeded'")).toBe(admitted.length);
      expect(s.max.samples).toBeGreaterThan(10);
      expect(s.max.running).toBeLessThanOrEqual(10);
      expect(s.max.holding).toBeLessThanOrEqual(10);
      expect(s.max.running).toBeGreaterThan(1);
    } finally {
      s.stop();
    }
  }, 300_000);

  it('wait mode ("queue": true): all 200 are queued, never more than 10 run at once, and all then run', async () => {
    const s = sampler(t.home);
    try {
      const results = await Promise.all(
        Array.from({ length: 200 }, () => publish(srv, token, { manifest: manifest('waiting', 'sleep 0.2'), name: 'w.yaml', queue: true })),
      );
      for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(results.filter((r) => r.body.status === 'denied')).toEqual([]);
      const ids = results.map((r) => r.body.id!);
      await until(
        () => s.count("select count(*) as n from executions where workflow_name = 'waiting' and status in ('queued', 'running')") === 0,
        400_000,
        'the queue to drain',
      );
      expect(s.count("select count(*) as n from executions where workflow_name = 'waiting' and status = 'succeeded'")).toBe(200);
      expect(new Set(ids).size).toBe(200);
      expect(s.max.running).toBeLessThanOrEqual(10);
      expect(s.max.holding).toBeLessThanOrEqual(10);
      // Each ran exactly once: one claim each.
      expect(s.count("select count(*) as n from executions where workflow_name = 'waiting' and attempts <> 1")).toBe(0);
    } finally {
      s.stop();
    }
  }, 600_000);

  it('the store passes its integrity check afterwards', () => {
    const db = new Database(join(t.home, 'maestro.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
});

describe.skipIf(reason !== null)(`backpressure${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const t = tempHome();
  let srv: Served;
  let token: string;
  beforeAll(async () => {
    expect(maestro(t.home, ['init']).code).toBe(0);
    token = readFileSync(join(t.home, 'token'), 'utf8').trim();
    // No embedded pool: what is queued stays queued, so the depth limit is reached deterministically.
    srv = await serve(t.home, ENV, ['--workers', '0', '--max-queue', '5']);
  }, 60_000);
  afterAll(async () => {
    await srv?.stop();
    t.cleanup();
  });

  it('past --max-queue, POST /api/executions answers 429 with Retry-After and a JSON error; the server keeps serving', async () => {
    const results: Publish[] = [];
    for (let i = 0; i < 8; i++) results.push(await publish(srv, token, { manifest: manifest('bp', 'true'), name: 'bp.yaml' }));
    expect(results.slice(0, 5).map((r) => [r.status, r.body.status])).toEqual(Array(5).fill([201, 'queued']));
    for (const r of results.slice(5)) {
      expect(r.status).toBe(429);
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(r.body.error).toMatchObject({ code: 'QUEUE_FULL' });
      expect(r.body.error!.message).toContain('limit 5');
    }
    const health = await fetch(`${srv.url}/healthz`);
    expect(health.status).toBe(200);
    // The thin client maps it to a clear error, not a crash.
    const file = join(t.home, 'bp.yaml');
    writeFileSync(file, manifest('bp', 'true'));
    const remote = maestro(t.home, ['run', file, '--detach', '--remote', srv.url], { MAESTRO_TOKEN: token });
    expect(remote.code).toBe(1);
    expect(remote.stderr).toContain('the execution queue is full');
    // The OpenAPI document lists the 429 with its Retry-After header.
    const doc = (await (await fetch(`${srv.url}/api/openapi.json`)).json()) as {
      paths: Record<string, { post?: { responses: Record<string, { headers?: object }> } }>;
    };
    expect(doc.paths['/api/executions']!.post!.responses['429']!.headers).toHaveProperty('Retry-After');
  });
});
