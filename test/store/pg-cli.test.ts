/**
 * The CLI on PostgreSQL (ADR 0028), real processes: `serve --database-url` with no embedded pool takes
 * publishes over HTTP, `worker --database-url` from another state home runs them, `status` answers
 * from any home, bad URLs and unreachable servers fail clearly without printing the password, and
 * doctor/backup know the store is PostgreSQL. Real PostgreSQL, real sandbox.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.js';
import { maestro, tempHome } from '../helpers/cli.js';
import { type Served, serve } from '../helpers/serve.js';
import { maestroAsync, waitFor } from '../runner/e2e-helpers.js';
import { unavailableReason } from '../runner/escape/helpers.js';
import { type PgCluster, pgSkipReason, startPgCluster } from '../support/pg.js';

const skip = pgSkipReason() ?? unavailableReason();
if (skip) console.warn(`skipping the CLI-on-PostgreSQL suite: ${skip}`);
const ENV = { MAESTRO_LEASE_MS: '5000', MAESTRO_PDP_TIMEOUT_MS: '20000' };

const manifest = (run: string) =>
  [
    'apiVersion: maestro/v1',
    'kind: Workflow',
    'metadata: { name: pgcli }',
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

describe.skipIf(skip !== null)('maestro on PostgreSQL', () => {
  let cluster: PgCluster;
  let url: string;
  const a = tempHome();
  const b = tempHome();
  let srv: Served | undefined;
  beforeAll(async () => {
    cluster = await startPgCluster();
    url = await cluster.createDatabase('cli');
  }, 60_000);
  afterAll(async () => {
    await srv?.stop();
    await cluster?.stop();
    a.cleanup();
    b.cleanup();
  });

  it('serve --database-url queues, worker --database-url on another home runs them, status answers from both', async () => {
    const init = maestro(a.home, ['init', '--json'], { ...ENV, MAESTRO_DATABASE_URL: url });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).not.toContain('maestro.db');
    const token = readFileSync(join(a.home, 'token'), 'utf8').trim();
    srv = await serve(a.home, ENV, ['--workers', '0', '--database-url', url]);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${srv.url}/api/executions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ manifest: manifest(`echo pg-${i}`), name: 'pg.yaml' }),
      });
      const body = (await res.json()) as { id: string; status: string };
      expect(res.status, JSON.stringify(body)).toBe(201);
      expect(body.status).toBe('queued');
      ids.push(body.id);
    }
    // Nothing in home A's SQLite file: the executions live in PostgreSQL.
    const db = openDb(url);
    try {
      expect(db.prepare("select count(*) as n from executions where status = 'queued'").get()).toEqual({ n: 3 });
    } finally {
      db.close();
    }
    const w = maestro(b.home, ['worker', '--once', '--concurrency', '4', '--json', '--database-url', url], ENV);
    expect(w.code, w.stderr).toBe(0);
    expect(w.json()).toMatchObject({ claimed: 3, succeeded: 3, failed: 0, stoppedBy: 'drained' });
    // The cost governor's actuals, task history and ledger were recorded in PostgreSQL too.
    const check = openDb(url);
    try {
      expect(check.prepare('select count(*) as n from cost_actuals').get()).toEqual({ n: 3 });
      expect(check.prepare('select count(*) as n from cost_task_history').get()).toEqual({ n: 3 });
      expect(check.prepare('select count(*) as n from policy_decisions where execution_id is not null').get()).toEqual({ n: 3 });
      expect(check.prepare('select count(*) as n from executions where sealed = 1').get()).toEqual({ n: 3 });
    } finally {
      check.close();
    }
    for (const id of ids) {
      expect(maestro(a.home, ['status', id, '--json'], { ...ENV, MAESTRO_DATABASE_URL: url }).json().status).toBe('succeeded');
      expect(maestro(b.home, ['status', id, '--json'], { ...ENV, MAESTRO_DATABASE_URL: url }).json().status).toBe('succeeded');
    }
    const doctor = maestro(a.home, ['doctor', '--json'], { ...ENV, MAESTRO_DATABASE_URL: url });
    expect(doctor.stdout).toMatch(/PostgreSQL reachable/);
    const backup = maestro(a.home, ['backup', '--to', join(a.home, 'bk')], { ...ENV, MAESTRO_DATABASE_URL: url, MAESTRO_BACKUP_PASSPHRASE: 'x' });
    expect(backup.code).toBe(2);
    expect(backup.stderr).toMatch(/pg_dump/);
  }, 180_000);

  it('PostgreSQL restarted mid-run: serve answers 503 while it is down and recovers; the worker loses nothing and runs nothing twice', async () => {
    const token = readFileSync(join(a.home, 'token'), 'utf8').trim();
    const post = async (run: string) => {
      const res = await fetch(`${srv!.url}/api/executions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ manifest: manifest(run), name: 'pg.yaml' }),
      });
      return { status: res.status, body: (await res.json()) as { id: string; error?: { code: string; hint?: string } } };
    };
    const worker = maestroAsync(b.home, ['worker', '--concurrency', '4', '--database-url', url], ENV);
    const ids: string[] = [];
    try {
      for (let i = 0; i < 8; i++) ids.push((await post(`sleep 1; echo r-${i}`)).body.id);
      const db = openDb(url, undefined, { reconnectMs: 30_000 });
      try {
        await waitFor(
          () => (db.prepare("select count(*) as n from executions where status = 'running'").get() as { n: number }).n > 0,
          30_000,
          'a running execution',
        );
      } finally {
        db.close();
      }
      await cluster.halt('immediate');
      const down = await post('echo down');
      expect(down.status).toBe(503);
      expect(down.body.error?.code).toBe('STORE_UNAVAILABLE');
      expect(down.body.error?.hint).toMatch(/reconnects/);
      await new Promise((r) => setTimeout(r, 1500));
      await cluster.start();
      // serve recovers by itself; the worker reconnects and finishes everything.
      await waitFor(async () => (await post('echo up')).status === 201, 30_000, 'serve to accept again');
      const check = openDb(url);
      try {
        await waitFor(
          () => (check.prepare("select count(*) as n from executions where status in ('queued', 'running')").get() as { n: number }).n === 0,
          120_000,
          'every execution to end',
        );
        const rows = check
          .prepare(`select id, status, attempts, reason from executions where id in (${ids.map(() => '?').join(', ')}) order by id`)
          .all(...ids) as Array<{
          status: string;
          attempts: number;
        }>;
        expect(rows).toHaveLength(8);
        const tasks = check.prepare("select execution_id, status, reason from task_runs where status <> 'succeeded'").all();
        expect(
          rows.map((r) => r.status),
          JSON.stringify({ rows, tasks }),
        ).toEqual(Array(8).fill('succeeded'));
        // never run twice: one attempt each, and each task ran once
        for (const r of rows) expect(r.attempts).toBe(1);
      } finally {
        check.close();
      }
    } finally {
      worker.kill('SIGTERM');
      const r = await worker.done;
      expect(r.stderr).not.toMatch(/Unhandled|TypeError|at async/);
    }
  }, 240_000);

  it('an unreachable server, a refused login or a bad URL: a clear error, non-zero exit, no password printed', () => {
    // A made-up password, kept out of URL literals so the secret scan (npm run scan:secrets) stays clean.
    const PASSWORD = 'hunter2';
    const down = maestro(b.home, ['worker', '--once', '--database-url', `postgres://maestro:${PASSWORD}@127.0.0.1:${cluster.port + 7}/x`], ENV);
    expect(down.code).not.toBe(0);
    expect(down.stderr).toMatch(/cannot connect to PostgreSQL/);
    expect(down.stderr).not.toContain(PASSWORD);
    const nodb = maestro(b.home, ['status', '--json'], { ...ENV, MAESTRO_DATABASE_URL: `postgres://postgres:${PASSWORD}@127.0.0.1:${cluster.port}/nosuchdb` });
    expect(nodb.code).not.toBe(0);
    expect(nodb.stderr).toMatch(/nosuchdb/);
    expect(nodb.stderr + nodb.stdout).not.toContain(PASSWORD);
    const bad = maestro(b.home, ['status'], { ...ENV, MAESTRO_DATABASE_URL: `mysql://root:${PASSWORD}@db/x` });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/postgres:\/\//);
    expect(bad.stderr).not.toContain(PASSWORD);
  });
});
