/**
 * Build an execution plan: tasks in topological order, each with its resources, estimate and basis.
 * Pure given its lookups (history and calibration come in as functions).
 */
import type { LoadedManifest, ResourceClass } from '../manifest/manifest.types.js';
import { topoOrder } from '../manifest/index.js';
import { estimateTask, DEFAULT_FACTORS, type ModelFactors, type TaskEstimate } from './estimator.js';
import { taskDigest, type Usage } from './model.js';
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
  /** Sum of the tasks' "high" figures. */
  highCostUSD: number;
  highCostMicros: number;
  prices: { sources: string[]; digest: string };
  /** How many tasks' guesses came from each source. */
  guessSources: { history: number; declared: number; default: number };
  tasks: TaskEstimate[];
}

export interface PlanLookups {
  /** Past successful runs of a task digest, newest first. */
  history(digest: string, limit: number): Usage[];
  /** Calibrated factors for (uses, class), if any. */
  factors(uses: string, cls: ResourceClass): ModelFactors | undefined;
}

/** Build the plan of a loaded manifest. */
export function buildPlan(loaded: LoadedManifest, prices: ResolvedPrices, lookups: PlanLookups): Plan {
  const spec = loaded.manifest.spec;
  const cls = spec.resourceClass;
  const tasks = topoOrder(loaded).map((task) => {
    const digest = taskDigest(task);
    const factors = lookups.factors(task.uses, cls) ?? DEFAULT_FACTORS;
    return estimateTask({
      task,
      digest,
      resourceClass: cls,
      prices: priceEntry(prices, task.uses, cls),
      defaultSec: prices.table.defaultSec[cls],
      history: lookups.history(digest, factors.window),
      factors,
    });
  });
  const est = tasks.reduce((s, t) => s + t.estimatedCostMicros, 0);
  const high = tasks.reduce((s, t) => s + t.highCostMicros, 0);
  const guessSources = { history: 0, declared: 0, default: 0 };
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
    prices: { sources: prices.sources, digest: prices.digest },
    guessSources,
    tasks,
  };
}
