/**
 * The estimator: one task's expected cost from a time guess, in order of preference (ADR 0011, 0026):
 *   1. history of the same task digest (median of the last N runs, each projected from the host load it
 *      ran under to the load now; interval p10–p90);
 *   2. priors: the history of similar tasks (same uses, class and command shape), the tenant's first,
 *      then the machine's;
 *   3. the declared resources.expectedSec;
 *   4. the default for the resource class (a trivial command such as `echo` gets a trivial default).
 * Pure: the caller brings the price entry, the history samples, priors, load and calibration factors.
 */
import type { ResourceClass, TaskSpec } from '../manifest/manifest.types.js';
import { type Components, gbSeconds, priceQuantities, totalMicros, type Usage } from './model.js';
import { microsToUsd } from './money.js';
import { type MicroRates, microRates, type PriceEntry } from './prices.js';
import { median, quantile } from './stats.js';

export type GuessSource = 'history' | 'priors' | 'declared' | 'default';

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
  /** One readable line on what the estimate rests on, e.g. "no history: estimated from 14 similar shell tasks". */
  note: string;
}

/** The estimate's interval in USD (and micro-dollars): p10–p90 of history, wide without it. */
export interface EstimateInterval {
  lowUSD: number;
  highUSD: number;
}

/** A past run with the host conditions it ran under (contention null = unknown, taken as quiet). */
export type HistorySample = Usage & { contention?: number | null };

/** How measured usage moves with host load (ADR 0026). */
export interface LoadModel {
  /** CPU-time inflation per unit of run-queue stretch above 1 (fitted; 0 = CPU time is load-invariant). */
  cpuSlope: number;
  /** The run-queue stretch at plan time (null = unknown: no projection). */
  contentionNow: number | null;
  /**
   * How much a CPU-bound thread's wall time stretches per unit of run-queue stretch above 1: the
   * effective stretch is 1 + wallSlope·(c−1). 1 = fair sharing among all runnable threads (the default);
   * fitted from history, since cgroup weights make a busy host's run queue overstate the wait.
   */
  wallSlope?: number;
}

export const NO_LOAD_MODEL: LoadModel = { cpuSlope: 0, contentionNow: null };
export const DEFAULT_WALL_SLOPE = 1;

/** Similar tasks' history for a first run. */
export interface Priors {
  /** Where they came from, e.g. "this tenant" or "this machine". */
  scope: string;
  /** The command shape matched. */
  shape: string;
  /** Runs of similar tasks, grouped by task digest. */
  groups: HistorySample[][];
}

export interface TaskEstimate {
  id: string;
  uses: string;
  resourceClass: ResourceClass;
  needs: string[];
  resources: TaskSpec['resources'];
  digest: string;
  /** The command's shape (programs and connectors), which first-run priors match on. */
  commandShape: string;
  estimatedCostMicros: number;
  estimatedCostUSD: number;
  highCostMicros: number;
  highCostUSD: number;
  /** The interval (p10–p90 of history; wide without history); high = highCostUSD. */
  estimateInterval: EstimateInterval;
  lowCostMicros: number;
  basis: {
    prices: PriceEntry;
    guess: TimeGuess;
    /** Factor applied on top of the priced guess (1 = none). */
    correction: number;
    /** The priced parts in USD (before the correction). */
    components: { cpuUSD: number; memoryUSD: number; writeUSD: number; baseUSD: number };
    /** The run-queue stretch the estimate was projected to (null: none) and the slopes used. */
    load: { contentionNow: number | null; cpuSlope: number; wallSlope: number };
  };
}

export interface EstimateInput {
  task: TaskSpec;
  digest: string;
  resourceClass: ResourceClass;
  prices: PriceEntry;
  defaultSec: number;
  /** Successful past runs of the same digest, newest first. */
  history: readonly HistorySample[];
  factors: ModelFactors;
  /** Similar tasks' runs, used when there is no history of this one. */
  priors?: Priors | undefined;
  /** Host load now and how usage moves with it; default: no projection. */
  load?: LoadModel;
}

/**
 * Estimate one task.
 * @example estimateTask({ task, digest, resourceClass: 'small', prices, defaultSec: 30, history: [], factors: DEFAULT_FACTORS })
 */
export function estimateTask(input: EstimateInput): TaskEstimate {
  const rates = microRates(input.prices);
  const load = input.load ?? NO_LOAD_MODEL;
  const recent = input.history.slice(0, Math.max(1, input.factors.window));
  const g: Guessed =
    recent.length > 0
      ? fromHistory(recent, input.factors, load, rates)
      : input.priors && input.priors.groups.length > 0
        ? fromPriors(input.priors, input.task, load, rates)
        : fromDeclared(input, rates);
  const midC = priceQuantities(rates, g.mid);
  const est = totalMicros(midC, g.correction);
  const low = Math.min(est, g.lowMicros);
  const high = Math.max(est, g.highMicros);
  return {
    id: input.task.id,
    uses: input.task.uses,
    resourceClass: input.resourceClass,
    needs: [...input.task.needs],
    resources: input.task.resources,
    digest: input.digest,
    commandShape: commandShape(input.task.run),
    estimatedCostMicros: est,
    estimatedCostUSD: microsToUsd(est),
    highCostMicros: high,
    highCostUSD: microsToUsd(high),
    estimateInterval: { lowUSD: microsToUsd(low), highUSD: microsToUsd(high) },
    lowCostMicros: low,
    basis: {
      prices: { ...input.prices },
      guess: g.guess,
      correction: g.correction,
      components: componentsUsd(midC),
      load: { contentionNow: load.contentionNow, cpuSlope: load.cpuSlope, wallSlope: load.wallSlope ?? DEFAULT_WALL_SLOPE },
    },
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
  correction: number;
  lowMicros: number;
  highMicros: number;
}

interface Projected extends Quantities {
  wallSec: number;
  peakRssMB: number;
}

/**
 * A past run projected from the load it ran under to the load now (ADR 0026): CPU time scales by
 * (1 + cpuSlope·(c−1)); the CPU-bound part of wall time (CPU time × its effective stretch
 * 1 + wallSlope·(c−1), at most the wall) scales with that stretch, the rest (sleep, I/O waits) stays.
 * GB-seconds follow the projected wall.
 */
export function projectSample(u: HistorySample, load: LoadModel): Projected {
  // Unknown conditions on either side: the run is used as measured.
  if (u.contention === null || u.contention === undefined || load.contentionNow === null) {
    return { cpuSec: u.cpuSec, wallSec: u.wallSec, peakRssMB: u.peakRssMB, gbSec: gbSeconds(u.peakRssMB, u.wallSec), bytesWritten: u.bytesWritten };
  }
  const cThen = Math.max(1, u.contention);
  const cNow = Math.max(1, load.contentionNow);
  const inflate = (c: number) => 1 + Math.max(0, load.cpuSlope) * Math.max(0, c - 1);
  const gamma = Math.max(0, load.wallSlope ?? DEFAULT_WALL_SLOPE);
  const stretch = (c: number) => 1 + gamma * (c - 1);
  const cpuSec = (u.cpuSec / inflate(cThen)) * inflate(cNow);
  const busyWall = Math.min(u.wallSec, u.cpuSec * stretch(cThen));
  const idleWall = Math.max(0, u.wallSec - busyWall);
  const wallSec = idleWall + (busyWall / stretch(cThen)) * stretch(cNow);
  return { cpuSec, wallSec, peakRssMB: u.peakRssMB, gbSec: gbSeconds(u.peakRssMB, wallSec), bytesWritten: u.bytesWritten };
}

// Component-wise median (and p10/p90 of the priced runs) of the recent runs, projected to the load now.
function fromHistory(runs: readonly HistorySample[], f: ModelFactors, load: LoadModel, rates: MicroRates): Guessed {
  const p = runs.map((u) => projectSample(u, load));
  const mid = medianQuantities(p);
  const costs = p.map((q) => totalMicros(priceQuantities(rates, q), f.historyCorrection));
  const point = totalMicros(priceQuantities(rates, mid), f.historyCorrection);
  // Few runs say little about the spread: at least ±(25%/√n) around the point.
  const floor = 0.25 / Math.sqrt(runs.length);
  const projected =
    load.contentionNow !== null && p.some((q, i) => Math.abs(q.wallSec - runs[i]!.wallSec) > 1e-9 || Math.abs(q.cpuSec - runs[i]!.cpuSec) > 1e-9);
  const n = runs.length;
  const guess = guessOf(
    'history',
    `median of the last ${n} run${n === 1 ? '' : 's'}${projected ? ` projected to run-queue stretch ${load.contentionNow}` : ''} (interval p10–p90)`,
    p,
    mid,
    n,
    `from ${n} earlier run${n === 1 ? '' : 's'} of this task`,
  );
  return {
    guess,
    mid,
    correction: f.historyCorrection,
    lowMicros: Math.min(Math.round(quantile(costs, 0.1)), Math.round(point * (1 - floor))),
    highMicros: Math.max(Math.round(quantile(costs, 0.9)), Math.round(point * (1 + floor))),
  };
}

// Similar tasks: each task's median (projected) run, then the median across tasks; interval p10–p90
// across tasks, at least half to twice the point (a guess from other tasks).
function fromPriors(pr: Priors, task: TaskSpec, load: LoadModel, rates: MicroRates): Guessed {
  const perTask = pr.groups.map((runs) => medianQuantities(runs.map((u) => projectSample(u, load))));
  const mid = medianQuantities(perTask);
  const costs = perTask.map((q) => totalMicros(priceQuantities(rates, q)));
  const point = totalMicros(priceQuantities(rates, mid));
  const n = pr.groups.length;
  const runs = pr.groups.reduce((s, g) => s + g.length, 0);
  const guess = guessOf(
    'priors',
    `median of ${n} similar ${task.uses} task${n === 1 ? '' : 's'} (${runs} runs, shape "${pr.shape}", ${pr.scope}); interval p10–p90, at least ½–2×`,
    perTask,
    mid,
    0,
    `no history: estimated from ${n} similar ${task.uses} task${n === 1 ? '' : 's'} (${pr.scope}, command shape "${pr.shape}")`,
  );
  return {
    guess,
    mid,
    correction: 1,
    lowMicros: Math.min(Math.round(quantile(costs, 0.1)), Math.round(point * 0.5)),
    highMicros: Math.max(Math.round(quantile(costs, 0.9)), Math.round(point * 2)),
  };
}

/** Programs that finish at once whatever their arguments: a first run of only these gets a trivial default. */
const TRIVIAL = new Set([
  'echo',
  'printf',
  'true',
  'false',
  ':',
  'date',
  'pwd',
  'env',
  'printenv',
  'mkdir',
  'touch',
  'hostname',
  'id',
  'uname',
  'whoami',
  'test',
  '[',
  'exit',
  'basename',
  'dirname',
  'ls',
]);
export const TRIVIAL_SEC = 0.05;

// A declared or default duration, with the calibrated CPU and memory utilisation of the kind/class.
function fromDeclared(input: EstimateInput, rates: MicroRates): Guessed {
  const { task, factors: f } = input;
  const r = task.resources;
  const declared = typeof r.expectedSec === 'number' && r.expectedSec > 0;
  const programs = commandPrograms(task.run);
  const trivial = !declared && programs.length > 0 && programs.every((p) => TRIVIAL.has(p));
  const sleepSec = !declared ? sleepOnly(task.run) : null;
  let wallSec: number;
  let cpuSec: number;
  let peakRssMB: number;
  if (declared) {
    wallSec = r.expectedSec! * f.declaredFactor;
    cpuSec = wallSec * r.cpu * f.cpuUtil;
    peakRssMB = r.memoryMB * f.memUtil;
  } else if (trivial || sleepSec !== null) {
    wallSec = sleepSec ?? TRIVIAL_SEC;
    cpuSec = Math.min(TRIVIAL_SEC, wallSec) * 0.2;
    peakRssMB = Math.min(4, r.memoryMB);
  } else {
    wallSec = f.defaultSec ?? input.defaultSec;
    cpuSec = wallSec * r.cpu * f.cpuUtil;
    peakRssMB = r.memoryMB * f.memUtil;
  }
  const mid = { cpuSec, gbSec: gbSeconds(peakRssMB, wallSec), bytesWritten: 0 };
  const high = { cpuSec: r.timeoutSec * r.cpu, gbSec: gbSeconds(r.memoryMB, r.timeoutSec), bytesWritten: r.tmpMB * 1024 * 1024 };
  const low = { cpuSec: 0, gbSec: 0, bytesWritten: 0 };
  const shape = commandShape(task.run);
  const guess: TimeGuess = {
    source: declared ? 'declared' : 'default',
    statistic: declared
      ? `resources.expectedSec ${r.expectedSec}s${f.declaredFactor !== 1 ? ` × calibrated ${round3(f.declaredFactor)}` : ''}; interval up to timeoutSec`
      : sleepSec !== null
        ? `a sleep of ${sleepSec}s (no history); interval up to timeoutSec`
        : trivial
          ? `a trivial command (${shape}); interval up to timeoutSec`
          : `default for class ${input.resourceClass} (${round3(wallSec)}s at full CPU); interval up to timeoutSec`,
    wallSec: round3(wallSec),
    cpuSec: round3(cpuSec),
    peakRssMB: round3(peakRssMB),
    gbSec: round3(mid.gbSec),
    bytesWritten: 0,
    highWallSec: r.timeoutSec,
    samples: 0,
    note: declared
      ? `no history: a guess from the declared expectedSec (${r.expectedSec}s)`
      : sleepSec !== null
        ? `no history: a guess (the command sleeps ${sleepSec}s)`
        : trivial
          ? `no history: a guess (a trivial command: ${shape})`
          : `no history: a guess from the ${input.resourceClass} class default (${round3(wallSec)}s at full CPU); declare resources.expectedSec to improve it`,
  };
  return {
    guess,
    mid,
    correction: 1,
    lowMicros: totalMicros(priceQuantities(rates, low)),
    highMicros: totalMicros(priceQuantities(rates, high)),
  };
}

/** A guess from measured quantities: medians of wall time and memory, p90 of wall time as the high figure. */
function guessOf(source: GuessSource, statistic: string, p: readonly Projected[], mid: Quantities, samples: number, note: string): TimeGuess {
  const walls = p.map((q) => q.wallSec);
  return {
    source,
    statistic,
    wallSec: round3(median(walls)),
    cpuSec: round3(mid.cpuSec),
    peakRssMB: round3(median(p.map((q) => q.peakRssMB))),
    gbSec: round3(mid.gbSec),
    bytesWritten: Math.round(mid.bytesWritten),
    highWallSec: round3(quantile(walls, 0.9)),
    samples,
    note,
  };
}

function medianQuantities(p: readonly Projected[]): Projected {
  return {
    cpuSec: median(p.map((q) => q.cpuSec)),
    gbSec: median(p.map((q) => q.gbSec)),
    bytesWritten: median(p.map((q) => q.bytesWritten)),
    wallSec: median(p.map((q) => q.wallSec)),
    peakRssMB: median(p.map((q) => q.peakRssMB)),
  };
}

const KEYWORDS = new Set(['then', 'do', 'else', 'elif', '!', 'time', 'exec', 'command', 'nice', '{', '(', 'if', 'while', 'until']);
const MAX_PROGRAMS = 16;

/**
 * The programs a shell command runs, in order (quote-aware; at most 16): `VAR=x head -c 1 | sha256sum`
 * → ['head', 'sha256sum'].
 */
export function commandPrograms(run: string): string[] {
  return segments(run)
    .map((s) => s.program)
    .filter((p) => p !== '');
}

/**
 * The command's shape: its programs with the connectors (| pipe, ; sequence) and > where a segment
 * redirects output; first-run priors match tasks on it. `date -u > /out/r.txt` → "date>".
 */
export function commandShape(run: string): string {
  const segs = segments(run).filter((s) => s.program !== '');
  return segs.map((s, i) => `${i > 0 ? s.joiner : ''}${s.program}${s.redirect ? '>' : ''}`).join('') || '-';
}

function segments(run: string): Array<{ program: string; joiner: string; redirect: boolean }> {
  const out: Array<{ program: string; joiner: string; redirect: boolean }> = [];
  let cur = '';
  let joiner = '';
  let quote: string | null = null;
  const flush = (next: string) => {
    if (out.length >= MAX_PROGRAMS) return;
    const words = cur.trim().split(/\s+/).filter(Boolean);
    let i = 0;
    while (i < words.length && (KEYWORDS.has(words[i]!) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!))) i++;
    const w = words[i] ?? '';
    const program = w.replace(/^.*\//, '').replace(/[^A-Za-z0-9_.+:[-]/g, '');
    const redirect = /(^|[^0-9&])>/.test(cur.replace(/2>&1|>&2|2>\/dev\/null/g, ''));
    if (program && !['fi', 'done', 'esac', '}', ')'].includes(program)) out.push({ program, joiner, redirect });
    joiner = next;
    cur = '';
  };
  for (let i = 0; i < run.length && out.length < MAX_PROGRAMS; i++) {
    const ch = run[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      continue;
    }
    if ((ch === '|' || ch === '&') && run[i + 1] === ch) {
      flush(';');
      i++;
    } else if (ch === '|') flush('|');
    else if (ch === ';' || ch === '\n' || (ch === '&' && run[i - 1] !== '>' && run[i + 1] !== '>')) flush(';');
    else cur += ch;
  }
  flush('');
  return out;
}

// `sleep N` alone (N seconds, no suffix or s): its duration, else null.
function sleepOnly(run: string): number | null {
  const m = /^\s*sleep\s+(\d+(?:\.\d+)?)s?\s*$/.exec(run);
  return m ? Number(m[1]) : null;
}

function componentsUsd(c: Components): TaskEstimate['basis']['components'] {
  const usd = (m: number) => Number((m / 1e6).toFixed(8));
  return { cpuUSD: usd(c.cpuMicros), memoryUSD: usd(c.memoryMicros), writeUSD: usd(c.writeMicros), baseUSD: usd(c.baseMicros) };
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
