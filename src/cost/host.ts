/**
 * Host conditions around a task (ADR 0026): how busy the machine was while it ran, so history
 * recorded under load can be normalised to a quiet machine and re-projected to the load at plan time.
 *
 * Read from /proc only (Linux): `/proc/loadavg` (1-minute load), `/proc/stat` (procs_running and the
 * per-state CPU ticks, including steal where the hypervisor reports it) and the CPU count. A process-wide
 * sampler keeps a bounded ring of snapshots (every 500 ms, at most RING_MAX) while executions are live;
 * conditions over a task's [start, end] come from the snapshots inside it, else from the nearest reading.
 * Where /proc is missing every figure is null and the estimator treats the task as recorded quiet.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** One reading of the host. */
export interface HostSnapshot {
  at: number;
  load1: number | null;
  /** Runnable threads at the instant, minus the reader itself. */
  running: number | null;
  ncpu: number;
  /** Cumulative CPU ticks of all CPUs (from /proc/stat's first line). */
  ticks: { busy: number; idle: number; steal: number; total: number } | null;
}

/** Host conditions over an interval, as stored with a task's history (migration 009). */
export interface HostConditions {
  load1: number | null;
  /** Share (0..100) of CPU time the hypervisor stole over the interval; null when not reported. */
  stealPct: number | null;
  ncpu: number;
  /** Mean runnable threads over the interval (or the 1-minute load when no instant readings covered it). */
  runnable: number | null;
  /**
   * The run-queue stretch: max(1, runnable / ncpu). A CPU-bound thread's wall time is its CPU time
   * times this (1 = a quiet machine). Null when unknown.
   */
  contention: number | null;
  /** How many instant readings the figures rest on (0: the 1-minute load alone). */
  samples: number;
}

export const SAMPLE_MS = 500;
export const RING_MAX = 1200;
/** A sampling lease lapses after this long (bounded even when `finished` never comes). */
export const LEASE_TTL_MS = 6 * 3_600_000;

/** Parse /proc/stat's aggregate cpu line and procs_running. Exported for tests. */
export function parseProcStat(text: string): { ticks: HostSnapshot['ticks']; running: number | null } {
  let ticks: HostSnapshot['ticks'] = null;
  let running: number | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) {
      const f = line.trim().split(/\s+/).slice(1).map(Number);
      // user nice system idle iowait irq softirq steal guest guest_nice (guest is already in user)
      const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
      const busy = user + nice + system + irq + softirq;
      ticks = { busy, idle: idle + iowait, steal, total: busy + idle + iowait + steal };
    } else if (line.startsWith('procs_running ')) {
      const n = Number(line.slice('procs_running '.length));
      running = Number.isFinite(n) ? n : null;
    }
  }
  return { ticks, running };
}

function readOr(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** One reading of the host now. */
export function readHost(now = Date.now()): HostSnapshot {
  const la = readOr('/proc/loadavg');
  const load1 = la === null ? null : Number(la.split(/\s+/)[0]);
  const st = readOr('/proc/stat');
  const parsed = st === null ? { ticks: null, running: null } : parseProcStat(st);
  return {
    at: now,
    load1: load1 !== null && Number.isFinite(load1) ? load1 : null,
    running: parsed.running === null ? null : Math.max(0, parsed.running - 1),
    ncpu: Math.max(1, availableParallelism()),
    ticks: parsed.ticks,
  };
}

/** max(1, runnable / ncpu), 3 decimals. */
export function contentionOf(runnable: number | null, ncpu: number): number | null {
  if (runnable === null || !Number.isFinite(runnable)) return null;
  return Math.round(Math.max(1, runnable / Math.max(1, ncpu)) * 1000) / 1000;
}

/**
 * Conditions over [startMs, endMs] from snapshots (any order). Instant readings inside the interval
 * are averaged; steal comes from the tick delta between the readings that bracket it; with no reading
 * inside, the nearest reading's 1-minute load stands in for the run queue.
 * @example conditionsFrom(snapshots, t0, t1).contention // 1.7
 */
export function conditionsFrom(snaps: readonly HostSnapshot[], startMs: number, endMs: number, fallback?: HostSnapshot): HostConditions {
  const sorted = [...snaps].sort((a, b) => a.at - b.at);
  const inside = sorted.filter((s) => s.at >= startMs && s.at <= endMs && s.running !== null);
  const before = [...sorted].reverse().find((s) => s.at <= startMs);
  const after = sorted.find((s) => s.at >= endMs);
  const nearest = after ?? sorted[sorted.length - 1] ?? fallback;
  const ncpu = nearest?.ncpu ?? fallback?.ncpu ?? Math.max(1, availableParallelism());
  const loads = [...inside, ...(after ? [after] : [])].map((s) => s.load1).filter((x): x is number => x !== null);
  const load1 = loads.length ? round3(loads.reduce((a, b) => a + b, 0) / loads.length) : (nearest?.load1 ?? null);
  let runnable: number | null;
  if (inside.length > 0) runnable = round3(inside.reduce((a, s) => a + s.running!, 0) / inside.length);
  else runnable = load1;
  const a = before?.ticks ?? inside[0]?.ticks;
  const b = after?.ticks ?? inside[inside.length - 1]?.ticks;
  let stealPct: number | null = null;
  if (a && b && b.total > a.total) stealPct = round3(((b.steal - a.steal) / (b.total - a.total)) * 100);
  return { load1, stealPct, ncpu, runnable, contention: contentionOf(runnable, ncpu), samples: inside.length };
}

/** The process-wide sampler: a bounded ring of readings while at least one execution is live. */
class Sampler {
  private ring: HostSnapshot[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Expiry of each live lease: a lease never released (a denied run) lapses after its TTL. */
  private leases: number[] = [];

  /** Start (or keep) sampling; pair every call with release(). The timer never holds the process open. */
  acquire(ttlMs = LEASE_TTL_MS): void {
    this.leases.push(Date.now() + ttlMs);
    if (this.timer) return;
    this.push(readHost());
    this.timer = setInterval(() => {
      this.push(readHost());
      const now = Date.now();
      this.leases = this.leases.filter((e) => e > now);
      if (this.leases.length === 0) this.stop();
    }, SAMPLE_MS);
    this.timer.unref();
  }

  release(): void {
    this.leases.sort((a, b) => a - b).shift();
    if (this.leases.length === 0) this.stop();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Live leases (for tests). */
  get leaseCount(): number {
    return this.leases.length;
  }

  get active(): boolean {
    return this.timer !== undefined;
  }

  push(s: HostSnapshot): void {
    this.ring.push(s);
    if (this.ring.length > RING_MAX) this.ring.splice(0, this.ring.length - RING_MAX);
  }

  snapshots(): readonly HostSnapshot[] {
    return this.ring;
  }
}

export const hostSampler = new Sampler();

/** Conditions over an interval from the process sampler's ring (plus a reading taken now). */
export function conditionsBetween(startMs: number, endMs: number): HostConditions | null {
  const now = readHost();
  const snaps = [...hostSampler.snapshots(), ...(now.at >= endMs ? [now] : [])];
  // No reading within a minute of the task (an old or foreign record): the conditions are unknown.
  if (!snaps.some((s) => s.at >= startMs - NEAR_MS && s.at <= endMs + NEAR_MS)) return null;
  return conditionsFrom(snaps, startMs, endMs, now);
}

/** How far from a task a reading may be and still describe it (the 1-minute load's horizon). */
export const NEAR_MS = 60_000;

/**
 * The machine's state for a plan: the mean run queue over the last 10 s of samples when the sampler
 * has them, else the 1-minute load. This is the load the estimate is projected to.
 */
export function currentConditions(nowMs = Date.now()): HostConditions {
  const recent = hostSampler.snapshots().filter((s) => s.at >= nowMs - 10_000);
  const now = readHost(nowMs);
  if (recent.length >= 3) return conditionsFrom(recent, nowMs - 10_000, nowMs, now);
  return { load1: now.load1, stealPct: null, ncpu: now.ncpu, runnable: now.load1, contention: contentionOf(now.load1, now.ncpu), samples: 0 };
}

/** Load band of a contention figure, for the report: quiet (≤ 1.1), busy (≤ 2), overloaded, unknown. */
export function loadBand(contention: number | null): 'quiet' | 'busy' | 'overloaded' | 'unknown' {
  if (contention === null || !Number.isFinite(contention)) return 'unknown';
  if (contention <= 1.1) return 'quiet';
  if (contention <= 2) return 'busy';
  return 'overloaded';
}

/** Whether per-task hardware instruction counters could serve as the basis here (ADR 0026). */
export interface CounterProbe {
  available: boolean;
  reason: string;
}

/**
 * Probe for a hardware PMU: perf_event_open's instruction counter needs a `cpu` (or hybrid
 * `cpu_core`/`cpu_atom`) event source. Most VMs expose none; then the basis stays CPU seconds.
 */
export function probeInstructionCounters(root = '/sys/bus/event_source/devices'): CounterProbe {
  if (!existsSync(root)) return { available: false, reason: `${root} missing: no perf events on this kernel` };
  const names = readdirSync(root);
  const pmu = names.find((n) => n === 'cpu' || n === 'cpu_core' || n === 'cpu_atom' || n === 'armv8_pmuv3_0');
  if (!pmu) return { available: false, reason: `no hardware PMU exposed (event sources: ${names.sort().join(', ') || 'none'}); CPU seconds stay the basis` };
  const paranoid = readOr('/proc/sys/kernel/perf_event_paranoid');
  return {
    available: true,
    reason: `hardware PMU "${pmu}" present (perf_event_paranoid ${paranoid?.trim() ?? '?'}); not used yet: CPU seconds stay the basis`,
  };
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
