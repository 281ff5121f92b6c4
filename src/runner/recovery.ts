/**
 * Crash safety (ADR 0014, 0015). An execution whose holder is gone is reclaimed: its lease expired
 * (the holder stopped heartbeating), or, on this host, the holder's process is dead (a zombie counts
 * as dead; a recycled pid does not match the recorded start time). A reclaimed execution goes back
 * to the queue when it may be retried (detached, no task started, first attempt), else it ends failed
 * with a reason naming the lost worker; its leftover sandboxes are killed and temp files removed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sweepDeadTemps } from '../core/files.js';
import { sameProcessAlive } from '../core/proc.js';
import type { Db } from '../store/db.js';
import { type ExecutionRow, markFinished, orphanCandidates, sandboxPgids, settleTasks } from '../store/executions.js';
import { expiredLeases, reclaim } from '../store/queue.js';
import { killTaskCgroupsOf } from './cgroup.js';

let host: string | undefined;

/** This host and boot ("<hostname hash>"): pids are only comparable within the same host and boot. */
export function hostId(): string {
  if (host) return host;
  let boot = '';
  try {
    boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    /* no boot id: hostname alone */
  }
  host = createHash('sha256').update(`${hostname()}\0${boot}`).digest('hex').slice(0, 10);
  return host;
}

/** The host id and pid encoded in a lease owner id ("w-<host>-<pid>-<rand>"), if it is one. */
export function parseOwner(owner: string): { host: string; pid: number } | null {
  const m = /^w-([0-9a-f]{10})-(\d+)-[0-9a-z]+$/.exec(owner);
  return m ? { host: m[1]!, pid: Number(m[2]) } : null;
}

/** True when the holder of a lease ran on this host and its process is still alive (maybe only slow). */
export function holderAliveHere(row: Pick<ExecutionRow, 'lease_owner' | 'runner_pid' | 'runner_start'>): boolean {
  if (!row.lease_owner) return false;
  const o = parseOwner(row.lease_owner);
  if (!o || o.host !== hostId()) return false;
  return sameProcessAlive(o.pid, row.runner_pid === o.pid ? row.runner_start : null);
}

/**
 * How long past its lease a holder that is provably alive on this host is still trusted: a loaded
 * machine can starve its heartbeat for seconds, and failing a healthy execution for that is wrong.
 */
export const LIVE_HOLDER_GRACE_MS = 5 * 60_000;

/** True when the holder of a lease is known dead: it ran on this host and its process is gone. */
export function holderDead(row: Pick<ExecutionRow, 'lease_owner' | 'runner_pid' | 'runner_start'>): boolean {
  if (!row.lease_owner) return false;
  const o = parseOwner(row.lease_owner);
  if (!o || o.host !== hostId()) return false;
  const start = row.runner_pid === o.pid ? row.runner_start : null;
  return !sameProcessAlive(o.pid, start);
}

/**
 * Removes temp files a killed writer left in an execution directory and its logs/ folder
 * (execution.json.<pid>.<start>-<n>.tmp, receipt and log temps; names returned relative to the
 * directory). A temp file named after a live process (this one included) is its write in progress:
 * left alone.
 */
export function cleanTempFiles(executionDir: string | null): string[] {
  if (!executionDir) return [];
  return ['', 'logs'].flatMap((sub) => sweepDeadTemps(join(executionDir, sub), { anyTemp: true }).map((name) => (sub ? `${sub}/${name}` : name)));
}

export interface RecoveredExecution {
  id: string;
  outcome: 'failed' | 'requeued';
  reason: string;
  killedSandboxes: number;
}

/**
 * Kills what a gone holder left running on this host: the recorded sandbox process groups, and, when
 * the holder's process is dead (`deadPid`), every task cgroup it made. The cgroups also hold sandboxes
 * whose process group was never recorded (the runner died between starting the launcher and recording
 * it), whatever their command lines say.
 */
export function killLeftovers(db: Db, ex: ExecutionRow, sameHost: boolean, deadPid: number | null): number {
  let killed = 0;
  if (sameHost) {
    for (const pgid of sandboxPgids(db, ex.id)) {
      try {
        process.kill(-pgid, 'SIGKILL');
        killed += 1;
      } catch {
        /* already gone */
      }
    }
    // A dead holder's cgroups: all of them were its sandboxes (a pool's other executions are reclaimed too).
    if (deadPid !== null) killed += killTaskCgroupsOf(deadPid).length;
  }
  return killed;
}

// When this process last ran a recovery pass on a store (monotonic ms), for recoverOrphansRecently.
const lastPass = new WeakMap<Db, number>();

/**
 * recoverOrphans unless this process already ran a pass on this store within `gapMs` (monotonic
 * time): a server publishing 100 executions a second, each of which used to read every active
 * execution first, now reads them at most once per `gapMs` (its embedded pool recovers every second).
 * @example recoverOrphansRecently(store.db, isoNow(ctx), ctx.clock.now(), 1000);
 */
export function recoverOrphansRecently(db: Db, at: string, nowMs: number, gapMs: number): RecoveredExecution[] {
  const last = lastPass.get(db);
  if (last !== undefined && performance.now() - last < gapMs) return [];
  return recoverOrphans(db, at, nowMs);
}

/**
 * Reclaims executions whose holder is gone (expired lease, or dead process on this host) and fails
 * pre-lease orphans (a recorded runner pid that is dead). Bounded by the number of active executions.
 * @example
 *   const recovered = recoverOrphans(store.db, isoNow(ctx));
 */
export function recoverOrphans(db: Db, at: string, nowMs = Date.parse(at)): RecoveredExecution[] {
  lastPass.set(db, performance.now());
  const out: RecoveredExecution[] = [];
  const seen = new Set<string>();
  const deadOwners = new Map<string, boolean>();
  const isDead = (r: ExecutionRow): boolean => {
    const key = `${r.lease_owner}\0${r.runner_start}`;
    let d = deadOwners.get(key);
    if (d === undefined) {
      d = holderDead(r);
      deadOwners.set(key, d);
    }
    return d;
  };
  // Expired leases, except a holder alive on this host within the grace; and, sooner, dead holders here.
  const expired = expiredLeases(db, nowMs).filter((r) => nowMs - (r.lease_expires_at ?? 0) > LIVE_HOLDER_GRACE_MS || !holderAliveHere(r));
  // Every active execution is read once per pass (a pool recovers every second while 1,000 run).
  const active = orphanCandidates(db);
  const candidates = [...expired, ...active.filter((r) => r.lease_owner !== null && isDead(r))];
  for (const ex of candidates) {
    if (seen.has(ex.id)) continue;
    seen.add(ex.id);
    const o = ex.lease_owner ? parseOwner(ex.lease_owner) : null;
    const sameHost = o !== null && o.host === hostId();
    const dead = sameHost && isDead(ex);
    const pid = o?.pid ?? ex.runner_pid;
    const reason = dead
      ? `runner process ${pid} died while the execution was ${ex.status} (worker ${ex.lease_owner})`
      : `worker ${ex.lease_owner} (pid ${pid ?? '?'}) stopped heartbeating while the execution was ${ex.status}: its lease expired at ${new Date(ex.lease_expires_at ?? nowMs).toISOString()}`;
    const killed = killLeftovers(db, ex, sameHost, dead && pid !== null ? pid : null);
    const outcome = reclaim(db, ex, reason, `retried: ${reason}, before any task started`, at);
    if (outcome === 'failed') cleanTempFiles(ex.dir);
    if (outcome) out.push({ id: ex.id, outcome, reason, killedSandboxes: killed });
  }
  // Executions recorded before leases (migration 006): the runner pid alone says who is alive.
  for (const ex of active) {
    if (seen.has(ex.id) || ex.lease_owner !== null || ex.runner_pid === null || sameProcessAlive(ex.runner_pid, ex.runner_start)) continue;
    const killed = killLeftovers(db, ex, true, ex.runner_pid);
    const reason = `runner process ${ex.runner_pid} died while the execution was ${ex.status} (maestro was killed or the machine restarted)`;
    if (markFinished(db, ex.id, 'failed', reason, at)) {
      settleTasks(db, ex.id, 'failed', 'the runner died while this task was running', at, 'running');
      settleTasks(db, ex.id, 'skipped', 'the runner died before this task started', at, 'pending');
      cleanTempFiles(ex.dir);
      out.push({ id: ex.id, outcome: 'failed', reason, killedSandboxes: killed });
    }
  }
  return out;
}
