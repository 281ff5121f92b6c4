/**
 * The store on PostgreSQL across processes and connections (ADR 0028): concurrent claims claim every
 * execution exactly once, concurrent admissions never pass the quota or the budget, LISTEN/NOTIFY wakes
 * an idle pool that otherwise polls rarely, and a handle survives a server restart. Real PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/core/context.js';
import { WorkerPool } from '../../src/runner/worker-pool.js';
import { type Db, openDb, StoreError } from '../../src/store/db.js';
import { listenQueue } from '../../src/store/pg/listen.js';
import { type AdmissionRequest, admit, QUEUE_CHANNEL } from '../../src/store/queue.js';
import { buildChild, removeChild } from '../support/child.js';
import { type PgCluster, pgSkipReason, startPgCluster } from '../support/pg.js';

const skip = pgSkipReason();
if (skip) console.warn(`skipping PostgreSQL cross-process suite: ${skip}`);

function run(js: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [js, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

function request(db: Db, id: string, tenant: string, over: Partial<AdmissionRequest> = {}): AdmissionRequest {
  const now = Date.now();
  void db;
  return {
    row: {
      id,
      tenant_id: tenant,
      subject: 's',
      workflow_name: 'w',
      manifest_digest: 'sha256:x',
      manifest_path: null,
      sandbox: 'none',
      estimated_cost_micros: 1,
      published_at: new Date(now).toISOString(),
      dir: null,
      detached: 1,
    },
    tasks: [{ id: 'a', digest: 'sha256:t' }],
    maxConcurrent: 100_000,
    wait: false,
    budget: null,
    holder: null,
    nowMs: now,
    leaseMs: 60_000,
    quotaReason: () => 'quota',
    budgetReason: () => 'budget',
    ...over,
  };
}

function addTenant(db: Db, id: string, max: number): void {
  db.prepare("insert into tenants (id, name, max_concurrent, daily_budget_micros, created_at) values (?, ?, ?, 100000000, '2026-01-01T00:00:00.000Z')").run(
    id,
    `n-${id}`,
    max,
  );
}

describe.skipIf(skip !== null)('PostgreSQL store across processes', () => {
  let cluster: PgCluster;
  let child: string;
  const dirs: string[] = [];
  beforeAll(async () => {
    [cluster, child] = await Promise.all([startPgCluster(), buildChild('test/store/fixtures/pg-child.ts')]);
  });
  afterAll(async () => {
    await cluster?.stop();
    if (child) removeChild(child);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const goFile = () => {
    const d = mkdtempSync(join(tmpdir(), 'mc-go-'));
    dirs.push(d);
    return join(d, 'go');
  };

  it('two processes claiming at once claim every execution exactly once', async () => {
    const url = await cluster.createDatabase('claims');
    const db = openDb(url);
    try {
      for (const t of ['ta', 'tb', 'tc']) addTenant(db, t, 100_000);
      const total = 150;
      for (let i = 0; i < total; i++) admit(db, request(db, `ex_${String(i).padStart(4, '0')}`, ['ta', 'tb', 'tc'][i % 3]!));
      const go = goFile();
      const a = run(child, ['claim', url, '0', 'a'], { GO: go });
      const b = run(child, ['claim', url, '0', 'b'], { GO: go });
      await new Promise((r) => setTimeout(r, 300));
      writeFileSync(go, '');
      const [ra, rb] = await Promise.all([a, b]);
      expect(ra.code, ra.err).toBe(0);
      expect(rb.code, rb.err).toBe(0);
      const ia = (JSON.parse(ra.out) as { ids: string[] }).ids;
      const ib = (JSON.parse(rb.out) as { ids: string[] }).ids;
      expect(ia.length).toBeGreaterThan(0);
      expect(ib.length).toBeGreaterThan(0);
      expect(ia.filter((id) => ib.includes(id))).toEqual([]);
      expect(new Set([...ia, ...ib]).size).toBe(total);
      const rows = db.prepare('select status, attempts, count(*) as n from executions group by status, attempts').all();
      expect(rows).toEqual([{ status: 'succeeded', attempts: 1, n: total }]);
    } finally {
      db.close();
    }
  });

  it('two processes admitting and ending at the cap never hold more than the cap', async () => {
    const url = await cluster.createDatabase('churn');
    const db = openDb(url);
    try {
      addTenant(db, 'tq', 3);
      const go = goFile();
      const env = { GO: go, MAX_CONCURRENT: '3' };
      const runs = [run(child, ['churn', url, '150', 'a'], env), run(child, ['churn', url, '150', 'b'], env)];
      await new Promise((r) => setTimeout(r, 300));
      writeFileSync(go, '');
      const results = await Promise.all(runs);
      for (const r of results) expect(r.code, r.err).toBe(0);
      const counts = results.map((r) => JSON.parse(r.out) as { admitted: number; maxSeen: number });
      expect(counts[0]!.admitted + counts[1]!.admitted).toBeGreaterThan(3);
      expect(Math.max(counts[0]!.maxSeen, counts[1]!.maxSeen)).toBeLessThanOrEqual(3);
    } finally {
      db.close();
    }
  });

  it('admissions from two processes never pass the concurrency cap', async () => {
    const url = await cluster.createDatabase('quota');
    const db = openDb(url);
    try {
      addTenant(db, 'tq', 7);
      const go = goFile();
      const env = { GO: go, MAX_CONCURRENT: '7' };
      const runs = [run(child, ['admit', url, '25', 'a'], env), run(child, ['admit', url, '25', 'b'], env)];
      await new Promise((r) => setTimeout(r, 300));
      writeFileSync(go, '');
      const results = await Promise.all(runs);
      for (const r of results) expect(r.code, r.err).toBe(0);
      const counts = results.map((r) => JSON.parse(r.out) as { admitted: number; denied: number });
      expect(counts[0]!.admitted + counts[1]!.admitted).toBe(7);
      expect(counts[0]!.denied + counts[1]!.denied).toBe(43);
      expect(db.prepare("select count(*) as n from executions where status = 'queued'").get()).toEqual({ n: 7 });
    } finally {
      db.close();
    }
  });

  it('admissions from two processes never overshoot the budget', async () => {
    const url = await cluster.createDatabase('budget');
    const db = openDb(url);
    try {
      addTenant(db, 'tq', 100_000);
      const go = goFile();
      // 100 µ$ each against a 350 µ$ cap (live estimates count): 3 fit; each process ends the oldest
      // when full, so both keep admitting at the edge of the budget.
      const env = { GO: go, MAX_CONCURRENT: '100000', CAP: '350', DELAY_MS: '2' };
      const runs = [run(child, ['churn', url, '60', 'a'], env), run(child, ['churn', url, '60', 'b'], env)];
      await new Promise((r) => setTimeout(r, 300));
      writeFileSync(go, '');
      const results = await Promise.all(runs);
      for (const r of results) expect(r.code, r.err).toBe(0);
      const counts = results.map((r) => JSON.parse(r.out) as { admitted: number; denied: number; maxLive: number });
      expect(counts[0]!.admitted + counts[1]!.admitted).toBeGreaterThan(3);
      expect(counts[0]!.denied + counts[1]!.denied).toBeGreaterThan(0);
      expect(Math.max(counts[0]!.maxLive, counts[1]!.maxLive)).toBeLessThanOrEqual(300);
    } finally {
      db.close();
    }
  });

  it('NOTIFY on publish reaches a LISTEN connection of another handle', async () => {
    const url = await cluster.createDatabase('notify');
    const a = openDb(url);
    const b = openDb(url);
    let wakes = 0;
    const l = listenQueue(a, QUEUE_CHANNEL, () => (wakes += 1))!;
    try {
      addTenant(b, 'ta', 100);
      await expect.poll(() => l.listening, { timeout: 5000 }).toBe(true);
      const before = wakes;
      admit(b, request(b, 'ex_n1', 'ta'));
      await expect.poll(() => wakes, { timeout: 3000 }).toBeGreaterThan(before);
      expect(l.notifications).toBe(1);
    } finally {
      await l.close();
      a.close();
      b.close();
    }
  });

  it('an idle pool on PostgreSQL polls rarely and claims at once on NOTIFY', async () => {
    const url = await cluster.createDatabase('pool');
    const home = mkdtempSync(join(tmpdir(), 'mc-pool-'));
    dirs.push(home);
    const ctx = createContext({ home, env: { MAESTRO_HOME: home } });
    const store = { db: openDb(url), path: 'pg', close: () => undefined };
    const publisher = openDb(url);
    const seen: string[] = [];
    const pool = new WorkerPool({
      ctx,
      store,
      concurrency: 2,
      kind: 'pool',
      pollMs: 10_000,
      prepare: async (row) => {
        seen.push(row.id);
        throw new Error('not run in this test');
      },
    });
    const xacts = () =>
      (publisher.prepare('select xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()').get() as { n: number }).n;
    try {
      addTenant(publisher, 'ta', 100);
      const done = pool.start();
      await expect.poll(() => pool.queueListener?.listening, { timeout: 5000 }).toBe(true);
      await new Promise((r) => setTimeout(r, 1000));
      publisher.exec('select pg_stat_clear_snapshot()');
      const t0 = xacts();
      await new Promise((r) => setTimeout(r, 3000));
      publisher.exec('select pg_stat_clear_snapshot()');
      const idleTx = xacts() - t0;
      // A 100 ms poll would issue ≥ 30 claim transactions in 3 s; LISTEN plus a 10 s fallback: a handful.
      expect(idleTx).toBeLessThan(15);
      const t1 = Date.now();
      admit(publisher, request(publisher, 'ex_p1', 'ta'));
      await expect.poll(() => seen.length, { timeout: 3000, interval: 20 }).toBe(1);
      expect(Date.now() - t1).toBeLessThan(2000);
      await pool.stop();
      await done;
    } finally {
      store.db.close();
      publisher.close();
    }
  });

  it('a handle reconnects after a server restart; while down a statement fails with STORE_UNAVAILABLE', async () => {
    const url = await cluster.createDatabase('restart');
    const waits = openDb(url, undefined, { reconnectMs: 20_000 });
    const quick = openDb(url);
    try {
      addTenant(quick, 'ta', 1);
      await cluster.restart({ mode: 'fast' });
      // The old connection died with the server: the next statement opens a new one.
      expect(waits.prepare('select count(*) as n from tenants').get()).toEqual({ n: 1 });
      await cluster.halt('fast');
      let err: unknown;
      try {
        quick.prepare('select 1 as x').get();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).code).toBe('STORE_UNAVAILABLE');
      await cluster.start();
      expect(quick.prepare('select count(*) as n from tenants').get()).toEqual({ n: 1 });
    } finally {
      waits.close();
      quick.close();
    }
  });
});
