/**
 * The estimator: one task's expected cost from a time guess, in order of preference:
 *   1. history of the same task digest (median of the last N runs, p90 as the "high" figure);
 *   2. the declared resources.expectedSec;
 *   3. the default for the resource class.
 * Pure: the caller brings the price entry, the history samples and the calibration factors.
 */
import type { ResourceClass, TaskSpec } from '../manifest/manifest.types.js';
import { microRates, type PriceEntry } from './prices.js';
import { gbSeconds, priceQuantities, totalMicros, type Components, type Usage } from './model.js';
import { microsToUsd } from './money.js';
import { median, quantile } from './stats.js';

export type GuessSource = 'history' | 'declared' | 'default';

/** Calibrated factors for one (uses, class); the defaults assume a task busy on every vCPU it asked for. */
export interface ModelFactors {
  /** Default time guess (s); overrides the price table's defaultSec when calibrated. */
  defaultSec?: number;
  /** CPU seconds per (wall second × requested vCPU) when guessing from a declared/default time. */
  cpuUtil: number;
  /** Peak RSS as a fraction of the requested memory when guessing from a declared/default time. */
  memUtil: number;
  /** Actual wall seconds per declared expectedSec. */
  declaredFactor: number;
  /** Multiplier on history-based estimates (actual / estimate, fitted). */
  historyCorrection: number;
  /** How many recent runs the history statistic uses. */
  window: number;
}

export const DEFAULT_FACTORS: ModelFactors = { cpuUtil: 1, memUtil: 1, declaredFactor: 1, historyCorrection: 1, window: 10 };

/** The time guess behind an estimate, with its source. */
export interface TimeGuess {
  source: GuessSource;
  /** How the figure was obtained, in words (e.g. "median of the last 5 runs"). */
  statistic: string;
  wallSec: number;
  cpuSec: number;
  peakRssMB: number;
  gbSec: number;
  bytesWritten: number;
  /** The "high" figure: p90 of history, or the timeout for declared/default guesses. */
  highWallSec: number;
  samples: number;
}

export interface TaskEstimate {
  id: string;
  uses: string;
  resourceClass: ResourceClass;
  needs: string[];
  resources: TaskSpec['resources'];
  digest: string;
  estimatedCostMicros: number;
  estimatedCostUSD: number;
  highCostMicros: number;
  highCostUSD: number;
  basis: {
    prices: PriceEntry;
    guess: TimeGuess;
    /** Factor applied on top of the priced guess (1 = none). */
    correction: number;
    /** The priced parts in USD (before the correction). */
    components: { cpuUSD: number; memoryUSD: number; writeUSD: number; baseUSD: number };
  };
}

export interface EstimateInput {
  task: TaskSpec;
  digest: string;
  resourceClass: ResourceClass;
  prices: PriceEntry;
  defaultSec: number;
  /** Successful past runs of the same digest, newest first. */
  history: readonly Usage[];
  factors: ModelFactors;
}

/**
 * Estimate one task.
 * @example estimateTask({ task, digest, resourceClass: 'small', prices, defaultSec: 30, history: [], factors: DEFAULT_FACTORS })
 */
export function estimateTask(input: EstimateInput): TaskEstimate {
  const rates = microRates(input.prices);
  const recent = input.history.slice(0, Math.max(1, input.factors.window));
  const { guess, mid, high, correction } = recent.length > 0 ? fromHistory(recent, input.factors) : fromDeclared(input);
  const midC = priceQuantities(rates, mid);
  const highC = priceQuantities(rates, high);
  const est = totalMicros(midC, correction);
  return {
    id: input.task.id,
    uses: input.task.uses,
    resourceClass: input.resourceClass,
    needs: [...input.task.needs],
    resources: input.task.resources,
    digest: input.digest,
    estimatedCostMicros: est,
    estimatedCostUSD: microsToUsd(est),
    highCostMicros: Math.max(est, totalMicros(highC, correction)),
    highCostUSD: microsToUsd(Math.max(est, totalMicros(highC, correction))),
    basis: { prices: { ...input.prices }, guess, correction, components: componentsUsd(midC) },
  };
}

interface Quantities {
  cpuSec: number;
  gbSec: number;
  bytesWritten: number;
}

interface Guessed {
  guess: TimeGuess;
  mid: Quantities;
  high: Quantities;
  correction: number;
}

// Component-wise median (and p90) of the recent runs, so the priced parts add up to the estimate.
function fromHistory(runs: readonly Usage[], f: ModelFactors): Guessed {
  const cpu = runs.map((u) => u.cpuSec);
  const gb = runs.map((u) => gbSeconds(u.peakRssMB, u.wallSec));
  const bytes = runs.map((u) => u.bytesWritten);
  const wall = runs.map((u) => u.wallSec);
  const mid = { cpuSec: median(cpu), gbSec: median(gb), bytesWritten: median(bytes) };
  const high = { cpuSec: quantile(cpu, 0.9), gbSec: quantile(gb, 0.9), bytesWritten: quantile(bytes, 0.9) };
  const guess: TimeGuess = {
    source: 'history',
    statistic: `median of the last ${runs.length} run${runs.length === 1 ? '' : 's'} (high = p90)`,
    wallSec: round3(median(wall)),
    cpuSec: round3(mid.cpuSec),
    peakRssMB: round3(median(runs.map((u) => u.peakRssMB))),
    gbSec: round3(mid.gbSec),
    bytesWritten: Math.round(mid.bytesWritten),
    highWallSec: round3(quantile(wall, 0.9)),
    samples: runs.length,
  };
  return { guess, mid, high, correction: f.historyCorrection };
}

// A declared or default duration, with the calibrated CPU and memory utilisation of the kind/class.
function fromDeclared(input: EstimateInput): Guessed {
  const { task, factors: f } = input;
  const r = task.resources;
  const declared = typeof r.expectedSec === 'number' && r.expectedSec > 0;
  const wallSec = declared ? r.expectedSec! * f.declaredFactor : (f.defaultSec ?? input.defaultSec);
  const peakRssMB = r.memoryMB * f.memUtil;
  const mid = { cpuSec: wallSec * r.cpu * f.cpuUtil, gbSec: gbSeconds(peakRssMB, wallSec), bytesWritten: 0 };
  const high = { cpuSec: r.timeoutSec * r.cpu, gbSec: gbSeconds(r.memoryMB, r.timeoutSec), bytesWritten: r.tmpMB * 1024 * 1024 };
  const guess: TimeGuess = {
    source: declared ? 'declared' : 'default',
    statistic: declared
      ? `resources.expectedSec ${r.expectedSec}s${f.declaredFactor !== 1 ? ` × calibrated ${round3(f.declaredFactor)}` : ''}; high = timeoutSec`
      : `default for class ${input.resourceClass}; high = timeoutSec`,
    wallSec: round3(wallSec),
    cpuSec: round3(mid.cpuSec),
    peakRssMB: round3(peakRssMB),
    gbSec: round3(mid.gbSec),
    bytesWritten: 0,
    highWallSec: r.timeoutSec,
    samples: 0,
  };
  return { guess, mid, high, correction: 1 };
}

function componentsUsd(c: Components): TaskEstimate['basis']['components'] {
  const usd = (m: number) => Number((m / 1e6).toFixed(8));
  return { cpuUSD: usd(c.cpuMicros), memoryUSD: usd(c.memoryMicros), writeUSD: usd(c.writeMicros), baseUSD: usd(c.baseMicros) };
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
