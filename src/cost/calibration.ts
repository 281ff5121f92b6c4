/**
 * Calibration: refit the model from recorded task runs and measure accuracy before and after by
 * replaying the same history in time order (each execution estimated only from runs before it).
 */
import type { ResourceClass, TaskSpec } from '../manifest/manifest.types.js';
import type { TaskHistoryRow } from '../store/cost.js';
import { DEFAULT_FACTORS, estimateTask, type ModelFactors } from './estimator.js';
import { priceUsage, totalMicros, type Usage } from './model.js';
import { microRates, priceEntry, type ResolvedPrices } from './prices.js';
import { type Accuracy, accuracy, type DriftSample } from './report.js';
import { median } from './stats.js';

export type FactorsFor = (uses: string, cls: ResourceClass) => ModelFactors;

export interface FittedFactors extends ModelFactors {
  uses: string;
  resourceClass: ResourceClass;
  samples: number;
}

export interface CalibrationResult {
  executions: number;
  taskRuns: number;
  before: Accuracy;
  after: Accuracy;
  factors: FittedFactors[];
}

const WINDOWS = [1, 3, 5, 10, 20];

/** Replay history oldest → newest; returns one drift sample per execution (estimate vs re-priced actual). */
export function replay(rows: readonly TaskHistoryRow[], prices: ResolvedPrices, factorsFor: FactorsFor, ratios?: Map<string, number[]>): DriftSample[] {
  const past = new Map<string, Usage[]>();
  const samples: DriftSample[] = [];
  for (const group of byExecution(rows)) {
    let est = 0;
    let act = 0;
    for (const r of group) {
      const cls = r.resourceClass as ResourceClass;
      const entry = priceEntry(prices, r.uses, cls);
      const f = factorsFor(r.uses, cls);
      const key = `${r.tenantId}|${r.taskDigest}`;
      const history = past.get(key) ?? [];
      const e = estimateTask({
        task: pseudoTask(r),
        digest: r.taskDigest,
        resourceClass: cls,
        prices: entry,
        defaultSec: prices.table.defaultSec[cls],
        history,
        factors: f,
      });
      const a = totalMicros(priceUsage(microRates(entry), usageOf(r)));
      if (ratios && e.basis.guess.source === 'history' && e.estimatedCostMicros > 0) {
        const k = `${r.uses}|${cls}`;
        ratios.set(k, [...(ratios.get(k) ?? []), (a * e.basis.correction) / e.estimatedCostMicros]);
      }
      est += e.estimatedCostMicros;
      act += a;
    }
    for (const r of group) {
      if (r.status !== 'succeeded') continue;
      const key = `${r.tenantId}|${r.taskDigest}`;
      past.set(key, [usageOf(r), ...(past.get(key) ?? [])]);
    }
    const first = group[0]!;
    samples.push({
      executionId: first.executionId,
      workflow: first.executionId,
      tenantId: first.tenantId,
      estimatedMicros: est,
      actualMicros: act,
      finishedAt: first.finishedAt,
    });
  }
  return samples;
}

/**
 * Fit factors per (uses, class) and compare accuracy before (current factors) and after.
 * @example calibrate(rows, prices, () => DEFAULT_FACTORS).after.shareWithin10Pct
 */
export function calibrate(rows: readonly TaskHistoryRow[], prices: ResolvedPrices, current: FactorsFor): CalibrationResult {
  const before = accuracy(replay(rows, prices, current));
  const base = fitUtilisation(rows);
  let best: { acc: Accuracy; fitted: Map<string, FittedFactors> } | undefined;
  for (const window of WINDOWS) {
    const withWindow = new Map([...base].map(([k, f]) => [k, { ...f, window, historyCorrection: 1 }]));
    const ratios = new Map<string, number[]>();
    replay(rows, prices, lookup(withWindow), ratios);
    for (const [k, f] of withWindow) {
      const r = ratios.get(k);
      if (r && r.length >= 3) f.historyCorrection = clamp(round4(median(r)), 0.5, 2);
    }
    const acc = accuracy(replay(rows, prices, lookup(withWindow)));
    if (!best || better(acc, best.acc)) best = { acc, fitted: withWindow };
  }
  return {
    executions: before.count + before.excluded,
    taskRuns: rows.length,
    before,
    after: best?.acc ?? before,
    factors: [...(best?.fitted.values() ?? [])],
  };
}

// CPU and memory utilisation, declared-time factor and default time per (uses, class), from successful runs.
function fitUtilisation(rows: readonly TaskHistoryRow[]): Map<string, FittedFactors> {
  const groups = new Map<string, TaskHistoryRow[]>();
  for (const r of rows) if (r.status === 'succeeded') groups.set(`${r.uses}|${r.resourceClass}`, [...(groups.get(`${r.uses}|${r.resourceClass}`) ?? []), r]);
  const out = new Map<string, FittedFactors>();
  for (const [k, g] of groups) {
    const timed = g.filter((r) => r.wallSec > 0);
    const declared = timed.filter((r) => r.expectedSec && r.expectedSec > 0);
    const undeclared = timed.filter((r) => !r.expectedSec);
    out.set(k, {
      ...DEFAULT_FACTORS,
      uses: g[0]!.uses,
      resourceClass: g[0]!.resourceClass as ResourceClass,
      samples: g.length,
      cpuUtil: timed.length ? round4(clamp(median(timed.map((r) => r.cpuSec / (r.wallSec * Math.max(r.cpu, 0.001)))), 0.01, 4)) : 1,
      memUtil: g.length ? round4(clamp(median(g.map((r) => r.peakRssMB / Math.max(r.memoryMB, 1))), 0.001, 1)) : 1,
      declaredFactor: declared.length ? round4(clamp(median(declared.map((r) => r.wallSec / r.expectedSec!)), 0.05, 20)) : 1,
      ...(undeclared.length || timed.length
        ? { defaultSec: round4(Math.max(0.1, median((undeclared.length ? undeclared : timed).map((r) => r.wallSec)))) }
        : {}),
    });
  }
  return out;
}

function lookup(m: Map<string, FittedFactors>): FactorsFor {
  return (uses, cls) => m.get(`${uses}|${cls}`) ?? DEFAULT_FACTORS;
}

// More executions within ±10% wins; ties go to the smaller median absolute drift.
function better(a: Accuracy, b: Accuracy): boolean {
  if (a.withinTolerance !== b.withinTolerance) return a.withinTolerance > b.withinTolerance;
  return (a.medianAbsDriftPct ?? Infinity) < (b.medianAbsDriftPct ?? Infinity);
}

function byExecution(rows: readonly TaskHistoryRow[]): TaskHistoryRow[][] {
  const groups = new Map<string, TaskHistoryRow[]>();
  for (const r of rows) groups.set(r.executionId, [...(groups.get(r.executionId) ?? []), r]);
  return [...groups.values()].sort((a, b) => a[0]!.finishedAt.localeCompare(b[0]!.finishedAt) || a[0]!.executionId.localeCompare(b[0]!.executionId));
}

function pseudoTask(r: TaskHistoryRow): TaskSpec {
  return {
    id: r.taskId,
    uses: r.uses as TaskSpec['uses'],
    run: '',
    needs: [],
    resources: { cpu: r.cpu, memoryMB: r.memoryMB, timeoutSec: 0, tmpMB: 0, pids: 0, ...(r.expectedSec ? { expectedSec: r.expectedSec } : {}) },
    env: {},
    network: false,
  };
}

export function usageOf(r: Pick<TaskHistoryRow, 'cpuSec' | 'peakRssMB' | 'wallSec' | 'bytesWritten'>): Usage {
  return { cpuSec: r.cpuSec, peakRssMB: r.peakRssMB, wallSec: r.wallSec, bytesWritten: r.bytesWritten };
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

function round4(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
