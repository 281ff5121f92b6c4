/**
 * Chaos, MC-SRE-761 "DB failover": PostgreSQL restarts in the middle of a 100-execution run on three
 * hosts (serve on h0, workers on h1 and h2). The server and both workers reconnect by themselves,
 * nothing is lost (every execution ends, succeeded), nothing runs twice (one marker line each, one
 * finishing worker each), and the server takes new publishes again afterwards.
 */
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
if (reason) console.warn(`test/multihost/db-failover: skipped: ${reason}`);

const N = 100;
// Leases outlive the outage: a restart is not a lost worker.
const ENV = { MAESTRO_LEASE_MS: '20000', MAESTRO_PDP_TIMEOUT_MS: '20000' };
const TERMINAL = "('succeeded', 'failed', 'cancelled', 'denied')";

describe.skipIf(reason !== null)('DB failover (MC-SRE-761): PostgreSQL restarts mid-run', () => {
  let mh: MultiHost;
  const homes = [tempHome('mc-fo0-'), tempHome('mc-fo1-'), tempHome('mc-fo2-')];
  const procs: Captured[] = [];
  let workers: Captured[] = [];
  let serveUrl = '';

  beforeAll(async () => {
    mh = await startMultiHost(3, 'failover');
    cli(homes[0]!.home, mh.localUrl, ['init']);
    const s = await startServe(mh.net.hosts[0]!, homes[0]!.home, mh.hostUrl, ENV);
    procs.push(s.proc);
    serveUrl = s.url;
    workers = [1, 2].map((i) => startWorker(mh.net.hosts[i]!, homes[i]!.home, mh.hostUrl, 8, ENV));
    procs.push(...workers);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await mh?.destroy();
    for (const h of homes) h.cleanup();
  });

  /** A query on a fresh connection (the cluster restarts under the test too). */
  const query = async (sql: string, args: unknown[] = []) => {
    const c = new pg.Client(mh.localUrl);
    await c.connect();
    try {
      return (await c.query(sql, args)).rows;
    } finally {
      await c.end();
    }
  };

  it(`${N} executions survive a restart of PostgreSQL: every one ends, once`, async () => {
    const token = tenant(homes[0]!.home, mh.localUrl, 'failover', 16, '1000000');
    const tenantId = (await query("select id from tenants where name = 'failover'"))[0].id as string;
    const ended = async () => Number((await query(`select count(*) as n from executions where tenant_id = $1 and status in ${TERMINAL}`, [tenantId]))[0].n);
    const m = markerManifest('failover', 'sleep 0.5');
    const pubs = await pooled(Array.from({ length: N }), 16, () => publish(serveUrl, token, { manifest: m, name: 'fo.yaml', queue: true }));
    const ids = pubs.map((p) => p.id).filter((x): x is string => !!x);
    expect(ids.length, JSON.stringify(pubs.find((p) => !p.id))).toBe(N);

    await until(async () => (await ended()) >= 20, 120_000, '20 executions to end');
    const before = await ended();
    expect(before).toBeLessThan(N); // the restart lands mid-run
    await mh.cluster.restart({ mode: 'fast', downMs: 2000 });

    // After the restart the same server admits new work again (it reconnected).
    const after = await until(
      async () => {
        const r = await publish(serveUrl, token, { manifest: m, name: 'fo-after.yaml', queue: true }).catch(() => undefined);
        if (r?.id) ids.push(r.id);
        return !!r?.id;
      },
      60_000,
      'the server to admit a publish after the restart',
      1000,
    ).then(() => true);
    expect(after).toBe(true);

    await until(async () => (await ended()) >= ids.length, 150_000, `all ${ids.length} executions to end`, 1000);
    const rows = (await query('select id, status, reason, dir from executions where tenant_id = $1', [tenantId])) as Array<{
      id: string;
      status: string;
      reason: string | null;
      dir: string | null;
    }>;
    expect(rows.length).toBe(ids.length);
    const by = [finishedBy(workers[0]!.text), finishedBy(workers[1]!.text)];
    const allHomes = homes.map((h) => h.home);
    for (const r of rows) {
      expect(r.status, `${r.id}: ${r.reason}`).toBe('succeeded');
      expect(markerCount(r.id, allHomes, r.dir), `${r.id} ran once`).toBe(1);
      expect(by[0]!.has(r.id) && by[1]!.has(r.id), `${r.id} finished by both workers`).toBe(false);
    }
    // Both workers and the server are still the same processes: they reconnected, nobody restarted them.
    for (const p of procs) expect(p.exited(), p.text.slice(-2000)).toBe(false);
  }, 300_000);
});
