/**
 * `maestro serve`'s embedded pool as its own process, opted into with MAESTRO_SERVE_POOL=process
 * (ADR 0037): the server's thread publishes and answers, a supervised `maestro worker --serve` child
 * claims and runs, so a burst uses both cores (more starts per second, but a longer wait for each
 * under a burst: the default keeps the pool inside serve). The server wakes the child over IPC at
 * every publish; the child's pool id is the server's `worker`. A child that dies is started again
 * (its executions are reclaimed by their leases); when the server dies, even by kill -9, the child's
 * channel closes and it exits at once, as the pool does when it lives inside the server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Context } from '../core/context.js';
import { RunnerError } from './errors.js';
import { binRunJs } from './worker-local.js';

/** The messages of a serve pool child: ready (with its pool id) once it claims. */
export type FromPoolChild = { t: 'ready'; id: string };
export type ToPoolChild = { t: 'wake' };

export interface PoolProcessOptions {
  concurrency: number;
  /** Running executions' grace at stop, ms (serve's default: 2 s). */
  graceMs: number;
  /** A line for the operator (the child died, was restarted). */
  note: (line: string) => void;
  /** How long to wait for the child's first ready, ms. */
  startTimeoutMs?: number;
}

export interface PoolProcess {
  /** The pool id of the current child (its leases carry it). */
  readonly id: string;
  readonly pid: number | null;
  /** New work was queued: claim now. */
  wake(): void;
  /** Graceful stop: no new claims, running executions get the grace; resolves when the child exited. */
  stop(): Promise<void>;
}

/** Restarts within this many ms of each other count as a crash loop (backoff doubles up to 30 s). */
const BACKOFF_MAX_MS = 30_000;

/**
 * Starts the pool child and resolves once it is ready (its pool registered and claiming).
 * @example const pool = await startPoolProcess(ctx, { concurrency: 64, graceMs: 2000, note: console.error });
 */
export async function startPoolProcess(ctx: Context, opts: PoolProcessOptions): Promise<PoolProcess> {
  let child: ChildProcess | null = null;
  let id = '';
  let stopping = false;
  let backoff = 500;
  let exited: Promise<void> = Promise.resolve();

  const launch = (): Promise<string> => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      ...ctx.env,
      MAESTRO_HOME: ctx.home,
      MAESTRO_WORKER_GRACE_MS: String(opts.graceMs),
      ...(ctx.databaseUrl ? { MAESTRO_DATABASE_URL: ctx.databaseUrl } : {}),
    };
    const c = spawn(process.execPath, [binRunJs(), 'worker', '--serve', '--concurrency', String(opts.concurrency)], {
      // Its own stdout is not serve's (serve's --json lines stay clean); its notes go to serve's stderr.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      env,
      cwd: ctx.cwd,
    });
    child = c;
    exited = new Promise((resolve) => c.once('exit', () => resolve()));
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new RunnerError('WORKER_START_FAILED', 'the worker pool process did not become ready within 60 s')),
        opts.startTimeoutMs ?? 60_000,
      );
      c.on('message', (m: FromPoolChild) => {
        if (m?.t !== 'ready') return;
        clearTimeout(timer);
        id = m.id;
        backoff = 500;
        resolve(m.id);
      });
      c.on('error', (err) => {
        clearTimeout(timer);
        reject(new RunnerError('WORKER_START_FAILED', `cannot start the worker pool process: ${err.message}`, { cause: err }));
      });
      c.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (child === c) child = null;
        const how = signal ?? `code ${code}`;
        reject(new RunnerError('WORKER_START_FAILED', `the worker pool process exited (${how}) before it was ready`));
        if (stopping) return;
        // Died while serving: its executions come back through their leases; a new child takes over.
        opts.note(`maestro serve: the worker pool process ${c.pid} exited (${how}); starting a new one in ${backoff} ms`);
        const wait = backoff;
        backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
        setTimeout(() => {
          if (stopping) return;
          launch().catch((err: Error) => opts.note(`maestro serve: ${err.message}`));
        }, wait).unref();
      });
    });
  };

  await launch();
  return {
    get id() {
      return id;
    },
    get pid() {
      return (child as ChildProcess | null)?.pid ?? null;
    },
    wake() {
      const c = child as ChildProcess | null;
      if (!c?.connected) return;
      try {
        c.send({ t: 'wake' } satisfies ToPoolChild);
      } catch {
        /* it is going away: the next child claims what is queued */
      }
    },
    async stop() {
      stopping = true;
      const c = child as ChildProcess | null;
      if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
      await exited;
    },
  };
}
