/**
 * Issue 12's multi-host test: three hosts (network namespaces with their own address and hostname)
 * share one PostgreSQL on the bridge: h0 runs `maestro serve --workers 0`, h1 and h2 `maestro worker`.
 *   - budget admission across two serve replicas (h0 and h1): at most what the cap allows;
 *   - 300 executions published through h0, each run exactly once (a marker line the task appends,
 *     the workers' own event lines, and the store agree), while the tenant's concurrency quota K is
 *     never exceeded across hosts (sampled from the database every 50 ms);
 *   - mid-run h2 is lost (its link cut, then every process SIGKILLed): h1 finishes the rest, and what h2
 *     held is reclaimed after its lease expires (retried, or failed naming h2's worker, per ADR 0014).
 */

import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/cli.js';
import { unavailableReason } from '../runner/escape/helpers.js';
import { type MultiHost, multiHostSkipReason, startMultiHost } from './cluster.js';
import {
  type Captured,
  cli,
  databaseUrlSupported,
  finishedBy,
  markerCount,
  markerManifest,
  pooled,
  publish,
  startServe,
  startWorker,
  tenant,
  until,
} from './maestro-hosts.js';

const reason = multiHostSkipReason() ?? unavailableReason() ?? databaseUrlSupported();
if (reason) console.warn(`test/multihost/hosts: skipped: ${reason}`);

const N = 300;
const K = 6;
const LEASE_MS = 4000;
const ENV = { MAESTRO_LEASE_MS: String(LEASE_MS), MAESTRO_PDP_TIMEOUT_MS: '20000' };
const TERMINAL = "('succeeded', 'failed', 'cancelled', 'denied')";

describe.skipIf(reason !== null)('maestro on three hosts sharing PostgreSQL', () => {
  let mh: MultiHost;
  let db: pg.Client;
  // h0 serve, h1 worker, h2 worker, and the second serve replica (on h1) with a home of its own.
  const homes = [tempHome('mc-mh0-'), tempHome('mc-mh1-'), tempHome('mc-mh2-'), tempHome('mc-mh3-')];
  const procs: Captured[] = [];
  let serveUrl = '';
  let workers: Captured[] = [];

  beforeAll(async () => {
    mh = await startMultiHost(3, 'hosts');
    db = new pg.Client(mh.localUrl);
    await db.connect();
    cli(homes[0]!.home, mh.localUrl, ['init']);
    const s = await startServe(mh.net.hosts[0]!, homes[0]!.home, mh.hostUrl, ENV);
    procs.push(s.proc);
    serveUrl = s.url;
    expect(new URL(serveUrl).hostname).toBe(mh.net.hosts[0]!.addr);
    workers = [1, 2].map((i) => startWorker(mh.net.hosts[i]!, homes[i]!.home, mh.hostUrl, 8, ENV));
    procs.push(...workers);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await db?.end();
    await mh?.destroy();
    for (const h of homes) h.cleanup();
  });

  const count = async (sql: string, args: unknown[] = []) => Number((await db.query(sql, args)).rows[0].n);

  it('budget admission holds across two serve replicas on different hosts', async () => {
    const home = homes[0]!.home;
    const token = tenant(home, mh.localUrl, 'mhbudget', 100, '1000000');
    const m = markerManifest('mh-budget', 'sleep 20');
    const plan = await fetch(`${serveUrl}/api/plan`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ manifest: m }),
    });
    const planned = (await plan.json()) as { estimatedCostUSD: number };
    expect(plan.status, JSON.stringify(planned)).toBe(200);
    const estimate = planned.estimatedCostUSD;
    expect(estimate).toBeGreaterThan(0);
    // Room for 4.5 estimates: the fifth never fits, whichever replica admits it.
    const cap = ((Math.round(estimate * 1e6) * 9) / 2 / 1e6).toFixed(6);
    cli(home, mh.localUrl, ['tenants', 'set', 'mhbudget', '--daily-budget', cap]);
    // Replicas verify the same tokens: the operator gives each one the token-signing key (docs/postgresql.md).
    const replicaHome = homes[3]!.home;
    mkdirSync(join(replicaHome, 'keys'), { recursive: true, mode: 0o700 });
    copyFileSync(join(home, 'keys', 'token-es256.key.pem'), join(replicaHome, 'keys', 'token-es256.key.pem'));
    const second = await startServe(mh.net.hosts[1]!, replicaHome, mh.hostUrl, ENV);
    procs.push(second.proc);
    const replicas = [serveUrl, second.url];
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => publish(replicas[i % 2]!, token, { manifest: m, name: 'b.yaml' })));
    const admitted = results.filter((r) => r.status === 'queued' || r.status === 'running');
    const denied = results.filter((r) => r.status === 'denied');
    expect(admitted.length + denied.length, JSON.stringify(results.filter((r) => !r.status))).toBe(40);
    expect(admitted.length).toBeGreaterThanOrEqual(1);
    expect(admitted.length).toBeLessThanOrEqual(4);
    for (const d of denied) expect(d.reason).toMatch(/budget/);
    const held = await db.query(
      "select count(*) as n, coalesce(sum(estimated_cost_micros), 0) as s from executions e join tenants t on t.id = e.tenant_id where t.name = 'mhbudget' and e.status in ('queued', 'running', 'succeeded')",
    );
    expect(Number(held.rows[0].n)).toBeLessThanOrEqual(4);
    expect(Number(held.rows[0].s)).toBeLessThanOrEqual(Math.round(Number(cap) * 1e6));
    await fetch(`${serveUrl}/api/executions/cancel`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    await until(
      async () =>
        (await count(
          `select count(*) as n from executions e join tenants t on t.id = e.tenant_id where t.name = 'mhbudget' and e.status not in ${TERMINAL}`,
        )) === 0,
      60_000,
      'the budget test executions to end',
    );
    await second.proc.stop();
  }, 150_000);

  it(`${N} executions: each runs exactly once, the quota of ${K} holds across hosts, and a lost worker host is reclaimed`, async () => {
    const home = homes[0]!.home;
    const token = tenant(home, mh.localUrl, 'mhq', K, '1000000');
    const tenantId = (await db.query("select id from tenants where name = 'mhq'")).rows[0].id as string;
    // Sample the tenant's running executions every 50 ms, from the database itself.
    const max = { running: 0, samples: 0 };
    let sampling = true;
    const sampler = (async () => {
      const c = new pg.Client(mh.localUrl);
      c.on('error', () => undefined); // the cluster going away at teardown ends the loop below
      await c.connect();
      try {
        while (sampling) {
          const r = await c.query("select count(*) as n from executions where tenant_id = $1 and status = 'running'", [tenantId]);
          max.running = Math.max(max.running, Number(r.rows[0].n));
          max.samples++;
          await new Promise((res) => setTimeout(res, 50));
        }
      } finally {
        await c.end();
      }
    })();

    try {
      await manyOnce(tenantId, token, max);
    } finally {
      sampling = false;
      await sampler.catch(() => undefined);
    }
    expect(max.samples).toBeGreaterThan(50);
    expect(max.running).toBeLessThanOrEqual(K);
    expect(max.running).toBeGreaterThanOrEqual(2);
  }, 300_000);

  /** Publish N through h0, lose h2 a third of the way, check every execution ran exactly once. */
  async function manyOnce(tenantId: string, token: string, max: { running: number; samples: number }): Promise<void> {
    const m = markerManifest('mh-once', 'sleep 0.3');
    const pubs = await pooled(Array.from({ length: N }), 16, () => publish(serveUrl, token, { manifest: m, name: 'once.yaml', queue: true }));
    const ids = pubs.map((p) => p.id).filter((id): id is string => typeof id === 'string');
    expect(ids.length, JSON.stringify(pubs.find((p) => !p.id))).toBe(N);
    for (const p of pubs) expect(['queued', 'running']).toContain(p.status);

    // Lose h2 once a third has ended.
    const ended = () => count(`select count(*) as n from executions where tenant_id = $1 and status in ${TERMINAL}`, [tenantId]);
    await until(async () => (await ended()) >= N / 3, 120_000, `${N / 3} executions to end`);
    const h2Worker = (await db.query('select id from workers where pid = $1 and stopped_at is null', [workers[1]!.child.pid])).rows[0]?.id as string;
    expect(h2Worker, 'h2 registered its worker').toMatch(/^w/);
    const heldByH2 = (await db.query("select id from executions where lease_owner = $1 and status in ('queued', 'running')", [h2Worker])).rows.map(
      (r) => r.id as string,
    );
    const killedAt = Date.now();
    // Its link is cut first: the server never hears of its death and keeps its sessions (and any lock
    // one held mid-transaction) until their idle-in-transaction timeout or keepalives end them (ADR 0040).
    mh.net.hosts[2]!.kill({ cutFirst: true });
    const h1Before = finishedBy(workers[0]!.text).size;

    try {
      await until(async () => (await ended()) >= N, 170_000, `all ${N} executions to end`, 500);
    } catch (err) {
      // Say where the stragglers are: their rows, the workers' registry, and what h1's worker printed last.
      const left = await db.query(
        `select id, status, lease_owner, lease_expires_at, attempts, reason, started_at from executions where tenant_id = $1 and status not in ${TERMINAL} order by published_at limit 20`,
        [tenantId],
      );
      const reg = await db.query('select * from workers order by started_at');
      throw new Error(
        `${(err as Error).message}\nnot ended (first 20): ${JSON.stringify(left.rows, null, 1)}\nworkers: ${JSON.stringify(reg.rows, null, 1)}\n` +
          `h1 worker (exited: ${workers[0]!.exited()}), last output:\n${workers[0]!.text.slice(-6000)}`,
      );
    }

    const rows = (await db.query('select id, status, reason, attempts, dir from executions where tenant_id = $1', [tenantId])).rows as Array<{
      id: string;
      status: string;
      reason: string | null;
      attempts: number;
      dir: string | null;
    }>;
    expect(rows.length).toBe(N);
    const byH1 = finishedBy(workers[0]!.text);
    const byH2 = finishedBy(workers[1]!.text);
    const allHomes = homes.map((h) => h.home);
    for (const r of rows) {
      const marks = markerCount(r.id, allHomes, r.dir);
      if (r.status === 'succeeded') {
        expect(marks, `${r.id} succeeded: its task ran once`).toBe(1);
        expect(byH1.has(r.id) && byH2.has(r.id), `${r.id} finished by both workers`).toBe(false);
      } else {
        // Only the lost host's executions may fail, naming its worker, and their task ran at most once.
        expect(r.status, `${r.id}: ${r.reason}`).toBe('failed');
        expect(heldByH2).toContain(r.id);
        expect(r.reason).toContain(h2Worker);
        expect(marks).toBeLessThanOrEqual(1);
      }
    }
    // The survivor finished the rest after the kill.
    expect(byH1.size).toBeGreaterThan(h1Before);
    const reclaimedLate = rows.filter((r) => heldByH2.includes(r.id) && r.status === 'succeeded').length;
    expect(reclaimedLate + rows.filter((r) => r.status === 'failed').length).toBe(heldByH2.length);
    // Reclaim waited for the lease (h2 is another host: no /proc shortcut), then happened.
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(LEASE_MS);
    expect(await count("select count(*) as n from executions where lease_owner = $1 and status in ('queued', 'running')", [h2Worker])).toBe(0);
    console.log(
      `multihost: ${heldByH2.length} held by the lost host: ${reclaimedLate} retried and succeeded, ${heldByH2.length - reclaimedLate} failed naming ${h2Worker}; ` +
        `max running ${max.running}/${K} over ${max.samples} samples; ${byH1.size} finished by h1, ${byH2.size} by h2`,
    );
  }
});
