/**
 * Actual cost of a finished execution: each task's measured usage priced with the same entry its
 * estimate used (recorded in the plan), so estimate and actual are comparable.
 */

import { priceUsage, totalMicros, type Usage } from './model.js';
import { driftPct, microsToUsd } from './money.js';
import type { Plan } from './plan.js';
import { microRates, type PriceEntry } from './prices.js';

/** The slice of the runner's execution record (execution.json) the cost room reads. */
export interface ExecutionRecordLike {
  id: string;
  status: string;
  /** The tenant's id, when the record carries it (the runner's does). */
  tenantId?: string;
  finishedAt?: string | null;
  tasks: Array<{ id: string; status: string; usage?: UsageInput | null; startedAt?: string | null; finishedAt?: string | null }>;
}

export interface TaskActual {
  id: string;
  status: string;
  /** Null when the task never ran (skipped, cancelled before start): it costs nothing. */
  usage: Usage | null;
  estimatedCostMicros: number;
  actualCostMicros: number;
}

export interface Actuals {
  executionId: string;
  estimatedCostMicros: number;
  actualCostMicros: number;
  estimatedUSD: number;
  actualUSD: number;
  /** (actual − estimate) / actual, in percent; null when the actual is 0 and the estimate is not. */
  driftPct: number | null;
  tasks: TaskActual[];
}

/**
 * Normalise a measured usage; null when the task did not run. CPU time that was not measured (e.g.
 * `--sandbox none` without GNU time) is billed as wall time × the requested vCPUs: an upper bound.
 */
export function normaliseUsage(u: UsageInput | null | undefined, requestedCpu = 1): Usage | null {
  if (!u) return null;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);
  const cpuSec = typeof u.cpuSec === 'number' && Number.isFinite(u.cpuSec) ? n(u.cpuSec) : n(u.wallSec) * requestedCpu;
  return { cpuSec, peakRssMB: n(u.peakRssMB), wallSec: n(u.wallSec), bytesWritten: Math.round(n(u.bytesWritten)) };
}

/** Usage as the runner reports it: CPU and memory may be null when they could not be measured. */
export type UsageInput = { [K in keyof Usage]?: number | null };

/**
 * Price every task of a record with its plan entry's prices.
 * @example computeActuals(plan, record).actualCostMicros
 */
export function computeActuals(plan: Plan, record: ExecutionRecordLike, fallback?: PriceEntry): Actuals {
  const planned = new Map(plan.tasks.map((t) => [t.id, t]));
  const tasks: TaskActual[] = record.tasks.map((t) => {
    const p = planned.get(t.id);
    const prices = p?.basis.prices ?? fallback;
    const usage = normaliseUsage(t.usage, p?.resources.cpu ?? 1);
    const ran = usage !== null && t.status !== 'skipped';
    const actual = ran && prices ? totalMicros(priceUsage(microRates(prices), usage)) : 0;
    return { id: t.id, status: t.status, usage: ran ? usage : null, estimatedCostMicros: p?.estimatedCostMicros ?? 0, actualCostMicros: actual };
  });
  const actual = tasks.reduce((s, t) => s + t.actualCostMicros, 0);
  return {
    executionId: record.id,
    estimatedCostMicros: plan.estimatedCostMicros,
    actualCostMicros: actual,
    estimatedUSD: microsToUsd(plan.estimatedCostMicros),
    actualUSD: microsToUsd(actual),
    driftPct: driftPct(plan.estimatedCostMicros, actual),
    tasks,
  };
}
