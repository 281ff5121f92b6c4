/**
 * Leases held by this process (ADR 0014). One keeper per process and store: it registers the process
 * in the workers table, renews every lease it holds with one UPDATE per heartbeat, and watches (one
 * query every ~300 ms) for executions it runs that were cancelled or taken from it, aborting them.
 */
import { type Context, isoNow } from '../core/context.js';
import { processStartTime } from '../core/proc.js';
import type { Db } from '../store/db.js';
import { heldIds, type LeaseHolder, registerWorker, renewLeases, stopWorker, type WorkerRow, workerHeartbeat } from '../store/queue.js';
import { hostId } from './recovery.js';

export interface LeaseConfig {
  /** How long a lease lasts without a heartbeat, ms ($MAESTRO_LEASE_MS, default 30 s, min 500 ms). */
  leaseMs: number;
  /** Heartbeat period, ms (a third of the lease). */
  heartbeatMs: number;
  /** Cancel/lost-lease watch period, ms. */
  watchMs: number;
}

/** Lease timing from the environment. */
export function leaseConfig(env: Readonly<Record<string, string | undefined>>): LeaseConfig {
  const raw = Number(env.MAESTRO_LEASE_MS);
  const leaseMs = Number.isFinite(raw) && raw >= 500 ? Math.min(raw, 3_600_000) : 30_000;
  return { leaseMs, heartbeatMs: Math.max(150, Math.floor(leaseMs / 3)), watchMs: Math.min(300, Math.max(50, Math.floor(leaseMs / 6))) };
}

/** A new lease owner id for this process: "w-<host>-<pid>-<random>". */
export function newOwnerId(ctx: Pick<Context, 'random'>): string {
  const rand = ctx.random.bytes(4).toString('hex');
  return `w-${hostId()}-${process.pid}-${rand}`;
}

export class LeaseKeeper {
  readonly holder: LeaseHolder;
  readonly config: LeaseConfig;
  private readonly tracked = new Map<string, AbortController>();
  private watch: NodeJS.Timeout | undefined;
  private lastBeat = 0;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly ctx: Context,
    readonly kind: WorkerRow['kind'],
    readonly concurrency: number,
  ) {
    this.config = leaseConfig(ctx.env);
    this.holder = { owner: newOwnerId(ctx), pid: process.pid, pidStart: processStartTime(process.pid) ?? '' };
    registerWorker(db, {
      id: this.holder.owner,
      host: hostId(),
      pid: process.pid,
      pidStart: this.holder.pidStart,
      kind,
      concurrency,
      startedAt: isoNow(ctx),
      heartbeatAt: ctx.clock.now(),
    });
    this.lastBeat = ctx.clock.now();
    this.watch = setInterval(() => this.tick(), this.config.watchMs);
    this.watch.unref();
  }

  /** Milliseconds since the epoch, from the context's clock. */
  now(): number {
    return this.ctx.clock.now();
  }

  /** Aborts `ac` (reason "lost") as soon as the execution is no longer ours or is cancelled. */
  track(id: string, ac: AbortController): () => void {
    this.tracked.set(id, ac);
    return () => {
      if (this.tracked.get(id) === ac) this.tracked.delete(id);
    };
  }

  get running(): number {
    return this.tracked.size;
  }

  /** Renews now (heartbeat) and checks what is still ours. */
  tick(): void {
    if (this.stopped) return;
    const now = this.ctx.clock.now();
    let held: Set<string>;
    try {
      if (now - this.lastBeat >= this.config.heartbeatMs) {
        this.lastBeat = now;
        workerHeartbeat(this.db, this.holder.owner, now);
        held = new Set(renewLeases(this.db, this.holder.owner, now, this.config.leaseMs));
      } else if (this.tracked.size > 0) {
        held = new Set(heldIds(this.db, this.holder.owner));
      } else return;
    } catch {
      return; // busy or closing store: try again next tick
    }
    for (const [id, ac] of this.tracked) if (!held.has(id) && !ac.signal.aborted) ac.abort('lost');
  }

  /** Stops heartbeating (leases then expire unless released) and marks the worker stopped. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.watch);
    try {
      stopWorker(this.db, this.holder.owner, isoNow(this.ctx));
    } catch {
      /* store closed */
    }
  }
}

const keepers = new WeakMap<Db, LeaseKeeper>();

/**
 * This process's keeper for a store (created on first use; kind "run" for CLI processes). A pool or
 * server installs its own with `setProcessKeeper` so publishing and running share one identity.
 */
export function processKeeper(db: Db, ctx: Context): LeaseKeeper {
  let k = keepers.get(db);
  if (!k) {
    k = new LeaseKeeper(db, ctx, 'run', 1);
    keepers.set(db, k);
  }
  return k;
}

export function setProcessKeeper(db: Db, keeper: LeaseKeeper): void {
  keepers.set(db, keeper);
}
