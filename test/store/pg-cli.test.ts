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

  it('an unreachable server, a refused login or a bad URL: a clear error, non-zero exit, no password printed', () => {
    const down = maestro(b.home, ['worker', '--once', '--database-url', `postgres://maestro:hunter2@127.0.0.1:${cluster.port + 7}/x`], ENV);
    expect(down.code).not.toBe(0);
    expect(down.stderr).toMatch(/cannot connect to PostgreSQL/);
    expect(down.stderr).not.toContain('hunter2');
    const nodb = maestro(b.home, ['status', '--json'], { ...ENV, MAESTRO_DATABASE_URL: `postgres://postgres:hunter2@127.0.0.1:${cluster.port}/nosuchdb` });
    expect(nodb.code).not.toBe(0);
    expect(nodb.stderr).toMatch(/nosuchdb/);
    expect(nodb.stderr + nodb.stdout).not.toContain('hunter2');
    const bad = maestro(b.home, ['status'], { ...ENV, MAESTRO_DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/postgres:\/\//);
    expect(bad.stderr).not.toContain('hunter2');
  });
});
