/**
 * The long-lived worker pool (ADR 0014): one Node process supervises up to `concurrency` executions
 * at once; every task is a sandbox child process. It claims queued executions fairly across tenants
 * under a lease, heartbeats, reclaims expired leases of dead workers and seals their evidence, and
 * shuts down gracefully (stop claiming, hand back what has not started, let the rest finish within a
 * grace period, then fail them naming this worker).
 */

import { setMaxListeners } from 'node:events';
import type { Context } from '../core/context.js';
import { isoNow } from '../core/context.js';
import { dialectOf } from '../store/db.js';
import { type ExecutionRow, getExecution } from '../store/executions.js';
import type { Store } from '../store/index.js';
import { listenQueue, type QueueListener } from '../store/pg/listen.js';
import { claimableCount, claimBatch, detachedActiveCount, finishHeld, pruneWorkers, QUEUE_CHANNEL, releaseExecution } from '../store/queue.js';
import { retryUnavailable } from '../store/retry.js';
import type { Session } from '../tenancy/index.js';
import { enableCgroupStock } from './cgroup.js';
import { executeExecution, sealExecution } from './execute.js';
import type { ExecutionHooks } from './hooks.types.js';
import { recoverOrphans } from './recovery.js';
import { preferSpawner } from './spawner.js';
import { LeaseKeeper, setProcessKeeper } from './worker-lease.js';

export interface PoolEvent {
  type: 'claimed' | 'finished' | 'released' | 'reclaimed' | 'error' | 'stopping';
  id?: string;
  status?: string;
  reason?: string | null;
}

export interface PoolSummary {
  worker: string;
  concurrency: number;
  claimed: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  released: number;
  reclaimed: number;
  stoppedBy: 'drained' | 'idle' | 'signal' | 'stop';
}

/** A pool summary before anything was claimed. */
export function emptyPoolSummary(worker: string, concurrency: number): PoolSummary {
  return { worker, concurrency, claimed: 0, succeeded: 0, failed: 0, cancelled: 0, released: 0, reclaimed: 0, stoppedBy: 'stop' };
}

export interface PoolOptions {
  ctx: Context;
  store: Store;
  /** Executions run at once (1..10000). */
  concurrency: number;
  kind: 'pool' | 'serve';
  /** Drain what is queued (and wait for detached executions other pools still run), then stop. */
  once?: boolean;
  /** Stop after this long with nothing to do (null: never). */
  idleExitMs?: number | null;
  /** Called before an idle exit; returning false keeps the pool running (more work appeared). */
  beforeIdleExit?: () => boolean;
  /** The session and hooks an execution runs under (its tenant and subject). */
  prepare(row: ExecutionRow): Promise<{ session: Session; hooks: ExecutionHooks }>;
  /** Recovery's sealing of terminal executions whose runner died (evidence rebuilt from the store). */
  sealPending?: () => Promise<number>;
  onEvent?: (e: PoolEvent) => void;
  /**
   * Poll period when idle, ms ($MAESTRO_WORKER_POLL_MS; default 100 on SQLite; on PostgreSQL, where
   * LISTEN/NOTIFY wakes the pool, a slow fallback of 3 s, jittered ±25%, for lease reclaim).
   */
  pollMs?: number;
  /** Grace period on stop before running executions are failed, ms ($MAESTRO_WORKER_GRACE_MS, default 30 s). */
  graceMs?: number;
}

// A ref'd timer: the pool keeps its process alive while it runs.
const sleep = (ms: number, wake: Promise<void>): Promise<void> => {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([new Promise<void>((r) => (t = setTimeout(r, ms))), wake]).finally(() => clearTimeout(t));
};

export class WorkerPool {
  readonly keeper: LeaseKeeper;
  private readonly active = new Map<string, Promise<void>>();
  /** Claimed executions whose first task has not begun yet (the start window). */
  private readonly starting = new Set<string>();
  private readonly startWindow: number;
  private readonly shutdown = new AbortController();
  private stopping = false;
  private stopReason: PoolSummary['stoppedBy'] = 'stop';
  private wakeUp: () => void = () => undefined;
  private wakeP: Promise<void>;
  private loop: Promise<PoolSummary> | undefined;
  private readonly summary: PoolSummary;
  private readonly pollMs: number;
  private readonly graceMs: number;
  private readonly listener: QueueListener | null;
  private readonly jitter: boolean;

  constructor(private readonly opts: PoolOptions) {
    const concurrency = Math.max(1, Math.min(10_000, Math.floor(opts.concurrency)));
    this.opts = { ...opts, concurrency };
    this.keeper = new LeaseKeeper(opts.store.db, opts.ctx, opts.kind, concurrency);
    setProcessKeeper(opts.store.db, this.keeper);
    const postgres = dialectOf(opts.store.db) === 'postgres';
    this.pollMs = opts.pollMs ?? (Number(opts.ctx.env.MAESTRO_WORKER_POLL_MS) || (postgres ? 3000 : 100));
    this.jitter = postgres;
    // Other hosts publish into the shared database: their NOTIFY wakes this pool (ADR 0028).
    this.listener = postgres ? listenQueue(opts.store.db, QUEUE_CHANNEL, () => this.wakeUp()) : null;
    this.graceMs = opts.graceMs ?? (Number(opts.ctx.env.MAESTRO_WORKER_GRACE_MS) || 30_000);
    // At most this many claimed executions on their way to a first task at once: a burst starts them
    // in claim order instead of advancing hundreds in step (and the rest stay claimable by other hosts).
    this.startWindow = Math.max(1, Number(opts.ctx.env.MAESTRO_START_WINDOW) || 32);
    this.summary = emptyPoolSummary(this.keeper.holder.owner, concurrency);
    this.wakeP = new Promise((r) => (this.wakeUp = r));
    // One shutdown listener per running execution: as many as the concurrency allows.
    setMaxListeners(concurrency + 16, this.shutdown.signal);
  }

  get id(): string {
    return this.keeper.holder.owner;
  }

  get running(): number {
    return this.active.size;
  }

  /** The LISTEN connection (PostgreSQL), null on SQLite. */
  get queueListener(): QueueListener | null {
    return this.listener;
  }

  /** The idle wait: on PostgreSQL jittered ±25%, so hosts started together do not poll in step. */
  private idleWait(ms: number): number {
    if (!this.jitter) return ms;
    const r = this.opts.ctx.random.bytes(1)[0]! / 255;
    return Math.round(ms * (0.75 + r * 0.5));
  }

  /** Starts the loop; resolves with the summary when the pool has stopped. */
  start(): Promise<PoolSummary> {
    // A pool starts its sandboxes through a small spawner process, not by forking itself (ADR 0036).
    preferSpawner();
    // ... and takes its task cgroups from a stock made ahead off the event loop (ADR 0036).
    enableCgroupStock();
    this.loop ??= this.run();
    return this.loop;
  }

  /** Claim now (new work was queued in this process). */
  wake(): void {
    this.wakeUp();
  }

  /** Graceful stop: no new claims; unstarted executions go back to the queue; the rest finish or fail after the grace period. */
  async stop(reason: PoolSummary['stoppedBy'] = 'stop'): Promise<PoolSummary> {
    if (!this.stopping) {
      this.stopping = true;
      this.stopReason = reason;
      this.wake();
    }
    return this.start();
  }

  private emit(e: PoolEvent): void {
    this.opts.onEvent?.(e);
  }

  private async run(): Promise<PoolSummary> {
    const { store, ctx } = this.opts;
    let idleSince = ctx.clock.now();
    let lastRecovery = 0;
    let lastPrune = 0;
    let backoff = 0;
    try {
      for (;;) {
        // A lost database (PostgreSQL restarting) never ends the loop: back off and try again (ADR 0028).
        if (backoff > 0) {
          this.wakeP = new Promise((r) => (this.wakeUp = r));
          await sleep(backoff, this.wakeP);
          if (this.stopping) break;
        }
        try {
          const now = ctx.clock.now();
          if (now - lastRecovery >= 1000) {
            lastRecovery = now;
            await this.recover();
          }
          if (now - lastPrune >= 60_000) {
            lastPrune = now;
            // The workers registry stays bounded: silent or stopped workers holding nothing go.
            pruneWorkers(store.db, now - 3600_000);
          }
          if (this.stopping) break;
          const free = Math.min(this.opts.concurrency - this.active.size, this.startWindow - this.starting.size);
          let claimed: ExecutionRow[] = [];
          if (free > 0) {
            try {
              claimed = claimBatch(store.db, this.keeper.holder, free, ctx.clock.now(), this.keeper.config.leaseMs);
            } catch (err) {
              this.emit({ type: 'error', reason: `claim failed: ${(err as Error).message}` });
            }
          }
          for (const row of claimed) this.launch(row);
          if (claimed.length > 0 || this.active.size > 0) idleSince = ctx.clock.now();
          // Drained: nothing left to claim and nothing detached still running elsewhere (another pool's
          // executions may yet come back to the queue if that pool dies).
          if (this.opts.once && this.active.size === 0 && claimed.length === 0 && claimableCount(store.db) === 0 && detachedActiveCount(store.db) === 0) {
            this.stopReason = 'drained';
            break;
          }
          const idleMs = this.opts.idleExitMs;
          if (idleMs != null && this.active.size === 0 && claimed.length === 0 && ctx.clock.now() - idleSince >= idleMs) {
            if (!this.opts.beforeIdleExit || this.opts.beforeIdleExit()) {
              this.stopReason = 'idle';
              break;
            }
            idleSince = ctx.clock.now();
          }
          if (claimed.length === 0 || free <= claimed.length) {
            this.wakeP = new Promise((r) => (this.wakeUp = r));
            await sleep(this.idleWait(this.active.size >= this.opts.concurrency ? Math.max(this.pollMs, 50) : this.pollMs), this.wakeP);
          }
          backoff = 0;
        } catch (err) {
          backoff = Math.min(5000, backoff === 0 ? 250 : backoff * 2);
          this.emit({ type: 'error', reason: `worker loop: ${(err as Error).message} (retrying in ${backoff} ms)` });
        }
      }
      await this.drain();
    } finally {
      await this.listener?.close();
      this.keeper.stop();
      try {
        pruneWorkers(store.db, ctx.clock.now() - 24 * 3600_000);
      } catch {
        /* store closed */
      }
    }
    this.summary.stoppedBy = this.stopReason;
    return this.summary;
  }

  /** Reclaims expired leases of other workers and seals evidence left unsealed. */
  private async recover(): Promise<void> {
    const { store, ctx } = this.opts;
    try {
      for (const r of recoverOrphans(store.db, isoNow(ctx), ctx.clock.now())) {
        this.summary.reclaimed += 1;
        this.emit({ type: 'reclaimed', id: r.id, status: r.outcome, reason: r.reason });
      }
      if (this.opts.sealPending) await this.opts.sealPending();
    } catch (err) {
      this.emit({ type: 'error', reason: `recovery failed: ${(err as Error).message}` });
    }
  }

  private launch(row: ExecutionRow): void {
    this.summary.claimed += 1;
    this.emit({ type: 'claimed', id: row.id });
    const { store, ctx } = this.opts;
    this.starting.add(row.id);
    const begun = (): void => {
      if (this.starting.delete(row.id)) this.wake();
    };
    const p = (async () => {
      let status: string | undefined;
      let reason: string | null = null;
      try {
        const { session, hooks } = await retryUnavailable(() => this.opts.prepare(row));
        const record = await executeExecution(session, row.id, {
          keeper: this.keeper,
          hooks,
          signals: false,
          shutdown: this.shutdown.signal,
          // The window frees a place once the first sandbox runs (or a task ended without one).
          onRunning: begun,
          progress: (e) => {
            if (e.phase === 'finished') begun();
          },
        });
        status = record.status;
        reason = record.reason;
      } catch (err) {
        // Could not run it at all (missing files, broken manifest copy): fail it, naming why, and seal.
        reason = `worker ${this.id} could not run the execution: ${(err as Error).message}`;
        const why = reason;
        try {
          if (await retryUnavailable(() => finishHeld(store.db, row.id, this.id, 'failed', why, isoNow(ctx)))) {
            await sealExecution({ ctx, store }, row.id).catch(() => undefined);
          }
          status = (await retryUnavailable(() => getExecution(store.db, row.id)))?.status ?? 'failed';
        } catch {
          // The database stayed away: the lease expires and recovery settles the execution.
          status = 'failed';
        }
        this.emit({ type: 'error', id: row.id, reason });
      }
      if (status === 'succeeded') this.summary.succeeded += 1;
      else if (status === 'cancelled') this.summary.cancelled += 1;
      else if (status === 'queued') this.summary.released += 1;
      else if (status === 'failed') this.summary.failed += 1;
      this.emit({ type: 'finished', id: row.id, status, reason });
    })().finally(() => {
      this.starting.delete(row.id);
      this.active.delete(row.id);
      this.wake();
    });
    this.active.set(row.id, p);
  }

  private async drain(): Promise<void> {
    if (this.active.size === 0) return;
    this.emit({ type: 'stopping', reason: `${this.active.size} execution(s) still running` });
    for (const id of this.active.keys()) {
      if (releaseExecution(this.opts.store.db, id, this.id)) this.emit({ type: 'released', id });
    }
    const all = Promise.allSettled([...this.active.values()]);
    const timedOut = await Promise.race([all.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), this.graceMs).unref())]);
    if (timedOut) {
      this.shutdown.abort('shutdown');
      await all;
    }
  }
}
