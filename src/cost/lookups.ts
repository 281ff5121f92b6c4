/** Store-backed look-ups the estimator needs: calibrated factors, first-run priors, the load model. */
import { performance } from 'node:perf_hooks';
import type { ResourceClass, TaskSpec } from '../manifest/manifest.types.js';
import type { TaskHistoryRow } from '../store/cost.js';
import * as sql from '../store/cost.js';
import type { Store } from '../store/index.js';
import { commandShape, DEFAULT_FACTORS, DEFAULT_WALL_SLOPE, type HistorySample, type LoadModel, type ModelFactors, type Priors } from './estimator.js';
import { type CounterProbe, currentConditions, probeInstructionCounters } from './host.js';
import { median } from './stats.js';

/** Calibrated factors from the store, keyed by (uses, class); undefined when never calibrated. */
export function calibrationLookup(store: Store): (uses: string, cls: ResourceClass) => ModelFactors | undefined {
  const rows = new Map(sql.listCalibration(store.db).map((r) => [`${r.uses}|${r.resourceClass}`, r]));
  return (uses, cls) => {
    const r = rows.get(`${uses}|${cls}`);
    if (!r) return undefined;
    return {
      ...(r.defaultSec ? { defaultSec: r.defaultSec } : {}),
      cpuUtil: r.cpuUtil,
      memUtil: r.memUtil,
      declaredFactor: r.declaredFactor,
      historyCorrection: r.historyCorrection,
      window: r.historyWindow || DEFAULT_FACTORS.window,
    };
  };
}

/** How many recent machine-wide task runs the CPU-slope fit reads (bounded). */
export const SLOPE_FIT_ROWS = 2000;
/** How many similar-task runs a first-run prior reads (bounded), and how many tasks it keeps. */
export const PRIOR_ROWS = 300;
export const PRIOR_TASKS = 50;

/**
 * Fit the CPU-time inflation per unit of run-queue stretch (ADR 0026) from runs of the same task
 * under different loads: within each task digest (≥ 3 runs, median ≥ 0.05 CPU-s), regress
 * cpu/mean − 1 on contention − mean contention; pooled slope, clamped to [0, 1]. 0 when the history
 * has too little spread in load to tell.
 * @example fitCpuSlope(rows) // 0.04: CPU time 4% higher per extra runnable thread per CPU
 */
export function fitCpuSlope(rows: readonly Pick<TaskHistoryRow, 'taskDigest' | 'cpuSec' | 'hostContention'>[]): number {
  const groups = new Map<string, Array<{ cpu: number; c: number }>>();
  for (const r of rows) {
    if (r.hostContention === null || r.hostContention === undefined || !(r.cpuSec > 0)) continue;
    const g = groups.get(r.taskDigest) ?? [];
    g.push({ cpu: r.cpuSec, c: r.hostContention });
    groups.set(r.taskDigest, g);
  }
  let sxy = 0;
  let sxx = 0;
  let points = 0;
  for (const g of groups.values()) {
    if (g.length < 3 || median(g.map((x) => x.cpu)) < 0.05) continue;
    const mc = g.reduce((s, x) => s + x.cpu, 0) / g.length;
    const mx = g.reduce((s, x) => s + x.c, 0) / g.length;
    for (const x of g) {
      sxy += (x.c - mx) * (x.cpu / mc - 1);
      sxx += (x.c - mx) ** 2;
      points++;
    }
  }
  if (points < 6 || sxx < 0.5) return 0;
  return Math.round(Math.min(1, Math.max(0, sxy / sxx)) * 1000) / 1000;
}

/**
 * Fit how a CPU-bound thread's wall time stretches with the run queue (ADR 0026): within each task
 * digest (≥ 3 runs, median ≥ 0.1 CPU-s, mostly on CPU: cpu/wall ≥ 0.2), regress wall/cpu on the
 * contention, centred per digest; pooled slope clamped to [0, 1]. Undefined when the history cannot tell
 * (then the default, fair sharing, applies).
 * @example fitWallSlope(rows) // 0.3: at stretch 5 a CPU-bound second takes 2.2 s of wall
 */
export function fitWallSlope(rows: readonly Pick<TaskHistoryRow, 'taskDigest' | 'cpuSec' | 'wallSec' | 'hostContention'>[]): number | undefined {
  const groups = new Map<string, Array<{ r: number; c: number; cpu: number }>>();
  for (const x of rows) {
    if (x.hostContention === null || x.hostContention === undefined || !(x.cpuSec > 0) || !(x.wallSec > 0) || x.cpuSec / x.wallSec < 0.2) continue;
    const g = groups.get(x.taskDigest) ?? [];
    g.push({ r: x.wallSec / x.cpuSec, c: x.hostContention, cpu: x.cpuSec });
    groups.set(x.taskDigest, g);
  }
  let sxy = 0;
  let sxx = 0;
  let points = 0;
  for (const g of groups.values()) {
    if (g.length < 3 || median(g.map((x) => x.cpu)) < 0.1) continue;
    const mr = g.reduce((s, x) => s + x.r, 0) / g.length;
    const mc = g.reduce((s, x) => s + x.c, 0) / g.length;
    for (const x of g) {
      sxy += (x.c - mc) * (x.r - mr);
      sxx += (x.c - mc) ** 2;
      points++;
    }
  }
  if (points < 6 || sxx < 0.5) return undefined;
  return Math.round(Math.min(1, Math.max(0, sxy / sxx)) * 1000) / 1000;
}

/** A history row as an estimator sample (usage with the contention it ran under). */
export function sampleOf(r: TaskHistoryRow): HistorySample {
  return { cpuSec: r.cpuSec, peakRssMB: r.peakRssMB, wallSec: r.wallSec, bytesWritten: r.bytesWritten, contention: r.hostContention ?? null };
}

/**
 * First-run priors for a task: successful runs of similar tasks (same uses, class and command shape),
 * the tenant's first, else the machine's; grouped by task digest. Undefined when there are none.
 */
export function priorsLookup(store: Store, tenantId: string): (task: TaskSpec, digest: string, cls: ResourceClass) => Priors | undefined {
  return (task, digest, cls) => {
    const shape = commandShape(task.run);
    for (const [scope, t] of [
      ['this tenant', tenantId],
      ['this machine', null],
    ] as const) {
      const rows = sql.similarHistory(store.db, { tenantId: t, uses: task.uses, resourceClass: cls, shape, excludeDigest: digest, limit: PRIOR_ROWS });
      if (rows.length === 0) continue;
      const groups = new Map<string, HistorySample[]>();
      for (const r of rows) {
        const g = groups.get(r.taskDigest);
        if (g) {
          if (g.length < DEFAULT_FACTORS.window) g.push(sampleOf(r));
        } else if (groups.size < PRIOR_TASKS) groups.set(r.taskDigest, [sampleOf(r)]);
      }
      return { scope, shape, groups: [...groups.values()] };
    }
    return undefined;
  };
}

let counterProbe: CounterProbe | undefined;

/** How long (monotonic ms) a store's fitted slopes are reused before the history is read again. */
export const SLOPE_FIT_TTL_MS = 2000;
// Per store: the slopes fitted from its last SLOPE_FIT_ROWS task runs, when, and at which history generation.
const slopeFits = new WeakMap<object, { at: number; gen: number; cpuSlope: number; wallSlope: number }>();
const historyGen = new WeakMap<object, number>();

/** This process recorded task history in a store: the next plan refits its slopes. */
export function historyChanged(store: Pick<Store, 'db'>): void {
  historyGen.set(store.db, (historyGen.get(store.db) ?? 0) + 1);
}

// Reading and fitting 2,000 history rows cost a plan about 2 ms of main-thread CPU: under a burst of
// publishes the fit is reused for SLOPE_FIT_TTL_MS, or until this process records new history.
function slopes(store: Store): { cpuSlope: number; wallSlope: number } {
  const gen = historyGen.get(store.db) ?? 0;
  const hit = slopeFits.get(store.db);
  const now = performance.now();
  if (hit && hit.gen === gen && now - hit.at < SLOPE_FIT_TTL_MS && now >= hit.at) return hit;
  const recent = sql.recentTaskHistory(store.db, SLOPE_FIT_ROWS);
  const fit = { at: now, gen, cpuSlope: fitCpuSlope(recent), wallSlope: fitWallSlope(recent) ?? DEFAULT_WALL_SLOPE };
  slopeFits.set(store.db, fit);
  return fit;
}

/** The load model for a plan now: the run-queue stretch now and the CPU slope fitted from the machine's history. */
export function loadLookup(store: Store): LoadModel & { load1: number | null; ncpu: number | null; instructionCounters: string } {
  const now = currentConditions();
  counterProbe ??= probeInstructionCounters();
  const { cpuSlope, wallSlope } = slopes(store);
  return {
    contentionNow: now.contention,
    cpuSlope,
    wallSlope,
    load1: now.load1,
    ncpu: now.ncpu,
    instructionCounters: counterProbe.available ? `available (${counterProbe.reason})` : `none (${counterProbe.reason})`,
  };
}
