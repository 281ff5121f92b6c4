/**
 * The local worker of a state home (ADR 0014): `run --detach` queues its execution and makes sure one
 * worker pool runs for the home, started on demand and exiting after an idle period. A pidfile
 * (<home>/worker.pid, created with O_EXCL) keeps two from being started; a live pool registered in the
 * store (another `maestro worker`, or `maestro serve`'s embedded pool) makes starting one unnecessary.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from '../core/context.js';
import { writeFileAtomicSync } from '../core/files.js';
import { processStartTime, sameProcessAlive } from '../core/proc.js';
import type { Db } from '../store/db.js';
import { aliveWorkers } from '../store/queue.js';
import { RunnerError } from './errors.js';
import { hostId } from './recovery.js';
import { leaseConfig } from './worker-lease.js';

/** The local worker's pidfile. */
export const workerPidfile = (home: string): string => join(home, 'worker.pid');
/** The local worker's own log (its errors, not the tasks' output), truncated past 1 MiB at each start. */
export const workerLog = (home: string): string => join(home, 'worker.log');
const LOG_MAX = 1024 * 1024;

interface PidfileContent {
  pid: number;
  start: string;
}

export function readPidfile(home: string): PidfileContent | null {
  try {
    const [pid, start] = readFileSync(workerPidfile(home), 'utf8').trim().split(/\s+/);
    return pid && /^\d+$/.test(pid) ? { pid: Number(pid), start: start ?? '' } : null;
  } catch {
    return null;
  }
}

function writePidfile(home: string, pid: number): void {
  writeFileAtomicSync(workerPidfile(home), `${pid} ${processStartTime(pid) ?? ''}\n`, { mode: 0o600 });
}

/** Takes the pidfile for `pid` when it is free or stale (its process is dead). False when a live process holds it. */
export function acquirePidfile(home: string, pid = process.pid): boolean {
  const path = workerPidfile(home);
  for (let i = 0; i < 3; i++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeFileSync(fd, `${pid} ${processStartTime(pid) ?? ''}\n`);
      closeSync(fd);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const cur = readPidfile(home);
    if (cur && sameProcessAlive(cur.pid, cur.start)) return cur.pid === pid;
    // Stale: remove it only if it still names the dead process, then try again.
    const again = readPidfile(home);
    if (!again || (again.pid === cur?.pid && again.start === cur?.start)) rmSync(path, { force: true });
  }
  return false;
}

/** Removes the pidfile if it names this process. */
export function releasePidfile(home: string, pid = process.pid): void {
  if (readPidfile(home)?.pid === pid) rmSync(workerPidfile(home), { force: true });
}

/** True when the pidfile names this process (a worker checks it has not been replaced). */
export function ownsPidfile(home: string, pid = process.pid): boolean {
  return readPidfile(home)?.pid === pid;
}

/** The CLI entry (bin/run.js) next to this module, in dist or source layout. */
export function binRunJs(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) if (existsSync(join(dir, 'bin', 'run.js'))) return join(dir, 'bin', 'run.js');
  throw new RunnerError('RUNNER_BIN_MISSING', 'cannot find bin/run.js to start the local worker');
}

export interface EnsureResult {
  /** started: a worker was started now; running: one already runs (pid, or a registered pool). */
  state: 'started' | 'running';
  pid: number | null;
}

/**
 * Makes sure a worker pool serves this state home; starts `maestro worker --local` when none does.
 * @example ensureLocalWorker(ctx, store.db) // { state: 'started', pid: 12345 }
 */
export function ensureLocalWorker(ctx: Context, db: Db): EnsureResult {
  const cur = readPidfile(ctx.home);
  if (cur && sameProcessAlive(cur.pid, cur.start)) return { state: 'running', pid: cur.pid };
  // A pool registered in the store and heartbeating (a `maestro worker`, or serve's embedded pool).
  const { leaseMs } = leaseConfig(ctx.env);
  const pool = aliveWorkers(db, ctx.clock.now() - leaseMs).find((w) => w.kind !== 'run' && (w.host !== hostId() || sameProcessAlive(w.pid, w.pid_start)));
  if (pool) return { state: 'running', pid: pool.host === hostId() ? pool.pid : null };
  if (!acquirePidfile(ctx.home)) return { state: 'running', pid: readPidfile(ctx.home)?.pid ?? null };
  let child: ChildProcess;
  try {
    const log = workerLog(ctx.home);
    if (existsSync(log) && statSync(log).size > LOG_MAX) truncateSync(log, 0);
    const fd = openSync(log, 'a', 0o600);
    try {
      child = spawn(process.execPath, [binRunJs(), 'worker', '--local'], {
        detached: true,
        stdio: ['ignore', fd, fd],
        env: { ...process.env, ...ctx.env, MAESTRO_HOME: ctx.home },
        cwd: ctx.cwd,
      });
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    releasePidfile(ctx.home);
    throw err;
  }
  child.unref();
  if (!child.pid) {
    releasePidfile(ctx.home);
    throw new RunnerError('WORKER_START_FAILED', 'could not start the local worker', { hint: `see ${workerLog(ctx.home)}` });
  }
  // Hand the pidfile to the worker before we exit (it checks that the file names it).
  writePidfile(ctx.home, child.pid);
  return { state: 'started', pid: child.pid };
}
