/**
 * The execution service with real processes, the real sandbox and a temp state home: the worker pool,
 * a worker killed with SIGKILL (sandboxes die, executions reclaimed after lease expiry, never stuck,
 * never run twice), the on-demand local worker, wait mode, and evidence that survives a kill between
 * the store's terminal status and the receipt (ADR 0014, 0015).
 */

import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPidfile, workerPidfile } from '../../src/runner/worker-local.js';
import { sqlite } from '../../src/store/sqlite-driver.js';
import { maestro, tempHome } from '../helpers/cli.js';
import { maestroAsync, processesWith, waitFor, writeManifest } from '../runner/e2e-helpers.js';
import { unavailableReason } from '../runner/escape/helpers.js';

// better-sqlite3 12 or 13 by Node major, as the engine picks it (ADR 0034).
const Database = sqlite();

const reason = unavailableReason();
// Short leases so reclaim is quick; short idle so local workers do not outlive the test.
const ENV = { MAESTRO_LEASE_MS: '1500', MAESTRO_WORKER_IDLE_MS: '1500', MAESTRO_PDP_TIMEOUT_MS: '10000' };

function db(home: string) {
  return new Database(join(home, 'maestro.db'), { readonly: true, fileMustExist: true });
}

function query<T>(home: string, sql: string, ...args: unknown[]): T[] {
  const d = db(home);
  try {
    return d.prepare(sql).all(...args) as T[];
  } finally {
    d.close();
  }
}

/** Export and verify the disclosure pack of an execution: the one outcome every terminal execution must have. */
function exportsAndVerifies(home: string, id: string, dir: string): void {
  const out = join(dir, `${id}.zip`);
  const ex = maestro(home, ['disclose', 'export', id, '-o', out, '--json'], ENV);
  expect(ex.code, ex.stderr).toBe(0);
  const v = maestro(home, ['disclose', 'verify', out], ENV);
  expect(v.code, v.stdout + v.stderr).toBe(0);
}

function tmpFilesIn(executionDir: string): string[] {
  return readdirSync(executionDir).filter((f) => f.endsWith('.tmp'));
}

describe.skipIf(reason !== null)(`execution service${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const h = tempHome();
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'maestro-worker-'));
    expect(maestro(h.home, ['init'], ENV).code).toBe(0);
  });
  afterAll(() => h.cleanup());

  /** Waits until no local worker (run --detach's, exiting when idle) is left: pidfile and process gone. */
  async function noLocalWorker(): Promise<void> {
    const pid = readPidfile(h.home)?.pid;
    await waitFor(() => !existsSync(workerPidfile(h.home)) && !(pid && existsSync(`/proc/${pid}`)), 20_000, 'no local worker from earlier tests');
  }

  it('a worker killed with SIGKILL: its sandboxes die, its executions are reclaimed (failed, naming it), never run twice, and still export', async () => {
    const marker = `kill-worker-${process.pid}`;
    const m = writeManifest(dir, 'long', [{ id: 'hold', run: `echo started; sleep 60; echo ${marker}` }]);
    const worker = maestroAsync(h.home, ['worker', '--concurrency', '4'], ENV);
    await waitFor(
      () => query<{ n: number }>(h.home, "select count(*) as n from workers where kind = 'pool' and stopped_at is null")[0]!.n > 0,
      20_000,
      'the worker to register',
    );
    const ids = [0, 1].map(() => {
      const r = maestro(h.home, ['run', m, '--detach', '--json'], ENV);
      expect(r.code, r.stderr).toBe(0);
      return r.json().id as string;
    });
    // No local worker was started: a registered pool serves the home.
    expect(existsSync(join(h.home, 'worker.pid'))).toBe(false);
    // Both sandboxes running (their process groups recorded), and their output flowing.
    await waitFor(
      () => query<{ n: number }>(h.home, 'select count(*) as n from task_runs where sandbox_pgid is not null')[0]!.n === 2,
      20_000,
      'both sandboxes',
    );
    await waitFor(
      () =>
        ids.every(
          (id) =>
            existsSync(join(h.home, 'executions', id, 'logs', 'hold.ndjson')) &&
            readFileSync(join(h.home, 'executions', id, 'logs', 'hold.ndjson'), 'utf8').includes('started'),
        ),
      20_000,
      'both tasks to print',
    );
    expect(processesWith(marker).length).toBeGreaterThanOrEqual(2);
    const owner = query<{ lease_owner: string }>(h.home, 'select lease_owner from executions where id = ?', ids[0])[0]!.lease_owner;
    expect(owner).toMatch(new RegExp(`^w-[0-9a-f]{10}-${worker.pid}-`));
    worker.kill('SIGKILL');
    await worker.done;
    // bwrap --die-with-parent: the sandboxes go with their supervisor.
    await waitFor(() => processesWith(marker).length === 0, 10_000, 'the sandboxes to die with the worker');
    await new Promise((r) => setTimeout(r, 1700)); // past the lease
    for (const id of ids) {
      const rec = maestro(h.home, ['status', id, '--json'], ENV).json();
      expect(rec.status).toBe('failed');
      expect(rec.reason).toContain(`worker ${owner}`);
      expect(rec.tasks[0].status).toBe('failed');
    }
    // A new worker finds nothing to run: reclaimed executions never run a second time.
    const again = maestro(h.home, ['worker', '--once', '--json'], ENV);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json()).toMatchObject({ claimed: 0, stoppedBy: 'drained' });
    for (const id of ids) {
      const exDir = join(h.home, 'executions', id);
      expect(readFileSync(join(exDir, 'logs', 'hold.ndjson'), 'utf8').match(/"started"/g)).toHaveLength(1);
      expect(tmpFilesIn(exDir)).toEqual([]);
      expect(JSON.parse(readFileSync(join(exDir, 'execution.json'), 'utf8')).status).toBe('failed');
      exportsAndVerifies(h.home, id, dir);
    }
  });

  it('worker --once --json runs what is queued, many at once in one process, then exits with a summary', async () => {
    const m = writeManifest(dir, 'quick', [{ id: 'q', run: 'sleep 1; echo done' }]);
    // Hold the local-worker pidfile with a live process, so run --detach starts none and --once drains.
    const holder = maestroAsync(h.home, ['worker', '--concurrency', '1'], { ...ENV, MAESTRO_WORKER_POLL_MS: '60000' });
    await waitFor(
      () => query<{ n: number }>(h.home, "select count(*) as n from workers where kind = 'pool' and stopped_at is null")[0]!.n > 0,
      20_000,
      'the idle pool',
    );
    const ids = [0, 1, 2, 3].map(() => maestro(h.home, ['run', m, '--detach', '--json'], ENV).json().id as string);
    const t0 = Date.now();
    const r = maestro(h.home, ['worker', '--concurrency', '8', '--once', '--json'], ENV);
    holder.kill('SIGTERM');
    await holder.done;
    expect(r.code, r.stderr).toBe(0);
    const s = r.json();
    expect(s).toMatchObject({ stoppedBy: 'drained', failed: 0, local: false });
    expect(s.claimed).toBe(4);
    expect(s.succeeded).toBe(4);
    for (const id of ids) expect(maestro(h.home, ['status', id, '--json'], ENV).json().status).toBe('succeeded');
    // In parallel: four one-second executions well under four seconds of wall time.
    const spans = query<{ s: string; f: string }>(
      h.home,
      `select started_at as s, finished_at as f from executions where id in (${ids.map(() => '?').join(',')})`,
      ...ids,
    );
    const overlap = spans.filter((a) => spans.some((b) => a !== b && a.s < b.f && b.s < a.f));
    expect(overlap.length).toBeGreaterThan(1);
    expect(Date.now() - t0).toBeLessThan(60_000);
  });

  it('run --detach starts one local worker on demand (pidfile), which exits when idle', async () => {
    const m = writeManifest(dir, 'local', [{ id: 'l', run: 'echo local' }]);
    const ids = [0, 1, 2].map(() => maestro(h.home, ['run', m, '--detach', '--json'], ENV).json().id as string);
    const pid = Number(readFileSync(join(h.home, 'worker.pid'), 'utf8').split(' ')[0]);
    expect(pid).toBeGreaterThan(0);
    for (const id of ids) await waitFor(() => maestro(h.home, ['status', id, '--json'], ENV).json().status === 'succeeded', 30_000, `${id} to succeed`);
    // All three ran in the one local worker (the lease owner id carries its pid).
    const owners = query<{ o: string }>(h.home, 'select distinct lease_owner as o from executions where id in (?, ?, ?)', ...ids);
    expect(owners).toHaveLength(1);
    expect(owners[0]!.o).toMatch(new RegExp(`^w-[0-9a-f]{10}-${pid}-`));
    await waitFor(() => !existsSync(join(h.home, 'worker.pid')) && !existsSync(`/proc/${pid}`), 20_000, 'the idle local worker to exit');
  });

  it('parallel run --detach start exactly one local worker (the pidfile is taken atomically)', async () => {
    await noLocalWorker();
    const m = writeManifest(dir, 'parallel', [{ id: 'p', run: 'echo p' }]);
    const runs = Array.from({ length: 6 }, () => maestroAsync(h.home, ['run', m, '--detach', '--json'], ENV));
    const ids = (await Promise.all(runs.map((r) => r.done))).map((r) => r.json().id as string);
    for (const id of ids) await waitFor(() => maestro(h.home, ['status', id, '--json'], ENV).json().status === 'succeeded', 60_000, `${id} to succeed`);
    const owners = query<{ o: string }>(h.home, `select distinct lease_owner as o from executions where id in (${ids.map(() => '?').join(',')})`, ...ids);
    expect(owners).toHaveLength(1);
  });

  it("a kill between the store's terminal status and the receipt: recovery rebuilds the evidence, which exports and verifies", async () => {
    // The local worker of the tests before would seal the killed run (its pool's recovery, every
    // second) while this test looks at what the kill left: wait until it has exited.
    await noLocalWorker();
    const m = writeManifest(dir, 'evidence', [{ id: 'e', run: 'echo evidence > $MAESTRO_OUT/e.txt' }]);
    const r = maestro(h.home, ['run', m, '--json'], { ...ENV, MAESTRO_FAILPOINT: 'before-evidence' });
    expect(r.code).not.toBe(0); // killed
    const [row] = query<{ id: string; status: string; sealed: number; actual: number | null }>(
      h.home,
      'select id, status, sealed, actual_cost_micros as actual from executions order by published_at desc limit 1',
    );
    expect(row).toMatchObject({ status: 'succeeded', sealed: 0, actual: null });
    const exDir = join(h.home, 'executions', row!.id);
    // The state the issue describes: a temp file, execution.json still queued, no receipt.
    expect(tmpFilesIn(exDir)).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(exDir, 'execution.json'), 'utf8')).status).toBe('queued');
    expect(existsSync(join(exDir, 'receipt.sigstore.json'))).toBe(false);
    const st = maestro(h.home, ['status', row!.id, '--json'], ENV).json();
    expect(st.status).toBe('succeeded');
    expect(st.cost.actualUSD).toBeGreaterThan(0);
    expect(tmpFilesIn(exDir)).toEqual([]);
    const rec = JSON.parse(readFileSync(join(exDir, 'execution.json'), 'utf8'));
    expect(rec.status).toBe('succeeded');
    expect(rec.tasks[0].writes.map((w: { path: string }) => w.path)).toContain('/out/e.txt');
    expect(query<{ sealed: number }>(h.home, 'select sealed from executions where id = ?', row!.id)[0]!.sealed).toBe(1);
    exportsAndVerifies(h.home, row!.id, dir);
  });

  it('wait mode: run --queue waits for a slot instead of a denial, shows its queue position, then runs', async () => {
    expect(maestro(h.home, ['tenants', 'set', 'default', '--max-concurrent', '1'], ENV).code).toBe(0);
    try {
      const hold = writeManifest(dir, 'hold', [{ id: 'h', run: 'sleep 60' }]);
      const quick = writeManifest(dir, 'after', [{ id: 'q', run: 'echo after' }]);
      const first = maestroAsync(h.home, ['run', hold, '--json'], ENV);
      const firstId = (
        await waitFor(
          () => query<{ id: string }>(h.home, "select id from executions where status = 'running' and workflow_name = 'hold'")[0],
          20_000,
          'the first run',
        )
      ).id;
      expect(maestro(h.home, ['run', quick], ENV).code).toBe(3); // default: denied
      const waiter = maestroAsync(h.home, ['run', quick, '--queue', '--json'], ENV);
      const queued = await waitFor(
        () => query<{ id: string }>(h.home, "select id from executions where status = 'queued' and waiting = 1")[0],
        30_000,
        'the waiting run',
      );
      const st = maestro(h.home, ['status', queued.id, '--json'], ENV).json();
      expect(st).toMatchObject({ status: 'queued', queuePosition: 1, waitingForSlot: true });
      expect(maestro(h.home, ['status', queued.id], ENV).stdout).toContain('position 1, waiting for a quota slot');
      await new Promise((r) => setTimeout(r, 1000));
      expect(query<{ status: string }>(h.home, 'select status from executions where id = ?', queued.id)[0]!.status).toBe('queued'); // still waiting
      expect(maestro(h.home, ['cancel', firstId], ENV).code).toBe(0);
      const [a, b] = await Promise.all([first.done, waiter.done]);
      expect(a.code).toBe(1); // cancelled
      expect(b.code, b.stderr).toBe(0);
      expect(b.json()).toMatchObject({ id: queued.id, status: 'succeeded' });
      const [f] = query<{ f: string }>(h.home, 'select finished_at as f from executions where id = ?', firstId);
      const [w] = query<{ s: string }>(h.home, 'select started_at as s from executions where id = ?', queued.id);
      expect(w!.s >= f!.f).toBe(true); // never both running
    } finally {
      expect(maestro(h.home, ['tenants', 'set', 'default', '--max-concurrent', '25'], ENV).code).toBe(0);
    }
  });

  it('SIGTERM: the worker stops claiming, lets running executions finish within the grace, then fails them naming itself', async () => {
    const m = writeManifest(dir, 'graceful', [{ id: 'g', run: 'sleep 60' }]);
    const worker = maestroAsync(h.home, ['worker', '--concurrency', '2', '--json'], { ...ENV, MAESTRO_WORKER_GRACE_MS: '1000' });
    await waitFor(
      () => query<{ n: number }>(h.home, "select count(*) as n from workers where kind = 'pool' and stopped_at is null")[0]!.n > 0,
      20_000,
      'the worker',
    );
    const id = maestro(h.home, ['run', m, '--detach', '--json'], ENV).json().id as string;
    await waitFor(
      () => query<{ n: number }>(h.home, 'select count(*) as n from task_runs where execution_id = ? and sandbox_pgid is not null', id)[0]!.n === 1,
      20_000,
      'the sandbox',
    );
    worker.kill('SIGTERM');
    const done = await worker.done;
    expect(done.code, done.stderr).toBe(0);
    expect(done.json()).toMatchObject({ stoppedBy: 'signal', claimed: 1, failed: 1 });
    const rec = maestro(h.home, ['status', id, '--json'], ENV).json();
    expect(rec.status).toBe('failed');
    expect(rec.reason).toMatch(/^worker w-[0-9a-f]{10}-\d+-[0-9a-f]+ shut down before the execution finished$/);
    expect(query<{ sealed: number }>(h.home, 'select sealed from executions where id = ?', id)[0]!.sealed).toBe(1);
    exportsAndVerifies(h.home, id, dir);
  });

  it('the store passes its integrity check afterwards; nothing is left active', () => {
    const d = db(h.home);
    try {
      expect(d.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(d.prepare("select count(*) as n from executions where status in ('queued', 'running')").get()).toEqual({ n: 0 });
    } finally {
      d.close();
    }
  });
});
