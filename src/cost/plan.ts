/**
 * Build an execution plan: tasks in topological order, each with its resources, estimate and basis.
 * Pure given its lookups (history and calibration come in as functions).
 */

import { topoOrder } from '../manifest/index.js';
import type { LoadedManifest, ResourceClass, TaskSpec } from '../manifest/manifest.types.js';
import {
  DEFAULT_FACTORS,
  type EstimateInterval,
  estimateTask,
  type HistorySample,
  type LoadModel,
  type ModelFactors,
  NO_LOAD_MODEL,
  type Priors,
  type TaskEstimate,
} from './estimator.js';
import { taskDigest } from './model.js';
import { microsToUsd } from './money.js';
import { priceEntry, type ResolvedPrices } from './prices.js';

/** The plan `maestro plan` prints and `maestro run` records with the execution (plan.json). */
export interface Plan {
  workflow: string;
  manifestPath: string;
  manifestDigest: string;
  region: string;
  resourceClass: ResourceClass;
  currency: 'USD';
  /** Total estimate in USD: integer micro-dollars / 1e6 (exact to 6 decimals). */
  estimatedCostUSD: number;
  estimatedCostMicros: number;
  /** Sum of the tasks' "high" figures (= estimateInterval.highUSD). */
  highCostUSD: number;
  highCostMicros: number;
  /** The total's interval: the sum of the tasks' lows and highs (p10–p90 from history, wide without it). */
  estimateInterval: EstimateInterval;
  prices: { sources: string[]; digest: string };
  /** How many tasks' guesses came from each source. */
  guessSources: { history: number; priors: number; declared: number; default: number };
  /** The host load the estimates were projected to (ADR 0026). */
  load: { contentionNow: number | null; load1: number | null; ncpu: number | null; cpuSlope: number; wallSlope: number; instructionCounters: string };
  tasks: TaskEstimate[];
}

export interface PlanLookups {
  /** Past successful runs of a task digest, newest first. */
  history(digest: string, limit: number): HistorySample[];
  /** Calibrated factors for (uses, class), if any. */
  factors(uses: string, cls: ResourceClass): ModelFactors | undefined;
  /** Similar tasks' runs for a task without history. */
  priors?(task: TaskSpec, digest: string, cls: ResourceClass): Priors | undefined;
  /** Host load now and the fitted CPU slope; default: no projection. */
  load?: LoadModel & { load1: number | null; ncpu: number | null; instructionCounters: string };
}

/** Build the plan of a loaded manifest. */
export function buildPlan(loaded: LoadedManifest, prices: ResolvedPrices, lookups: PlanLookups): Plan {
  const spec = loaded.manifest.spec;
  const cls = spec.resourceClass;
  const tasks = topoOrder(loaded).map((task) => {
    const digest = taskDigest(task);
    const factors = lookups.factors(task.uses, cls) ?? DEFAULT_FACTORS;
    const history = lookups.history(digest, factors.window);
    return estimateTask({
      task,
      digest,
      resourceClass: cls,
      prices: priceEntry(prices, task.uses, cls),
      defaultSec: prices.table.defaultSec[cls],
      history,
      factors,
      priors: history.length === 0 ? lookups.priors?.(task, digest, cls) : undefined,
      load: lookups.load ?? NO_LOAD_MODEL,
    });
  });
  const est = tasks.reduce((s, t) => s + t.estimatedCostMicros, 0);
  const high = tasks.reduce((s, t) => s + t.highCostMicros, 0);
  const low = tasks.reduce((s, t) => s + t.lowCostMicros, 0);
  const guessSources = { history: 0, priors: 0, declared: 0, default: 0 };
  for (const t of tasks) guessSources[t.basis.guess.source]++;
  return {
    workflow: loaded.manifest.metadata.name,
    manifestPath: loaded.path,
    manifestDigest: loaded.digest,
    region: spec.region,
    resourceClass: cls,
    currency: 'USD',
    estimatedCostUSD: microsToUsd(est),
    estimatedCostMicros: est,
    highCostUSD: microsToUsd(high),
    highCostMicros: high,
    estimateInterval: { lowUSD: microsToUsd(low), highUSD: microsToUsd(high) },
    prices: { sources: prices.sources, digest: prices.digest },
    guessSources,
    load: {
      contentionNow: lookups.load?.contentionNow ?? null,
      load1: lookups.load?.load1 ?? null,
      ncpu: lookups.load?.ncpu ?? null,
      cpuSlope: lookups.load?.cpuSlope ?? 0,
      wallSlope: lookups.load?.wallSlope ?? 1,
      instructionCounters: lookups.load?.instructionCounters ?? 'not probed',
    },
    tasks,
  };
}
