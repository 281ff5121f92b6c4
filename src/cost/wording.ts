/**
 * Readable drift (issues 15 and 18): an estimate against its actual in words, and a first run (no
 * history) reported as a guess that missed, never as a −6088% alarm.
 */
import type { GuessSource } from './estimator.js';

/** How an execution's estimate was made: its tasks' sources, or 'mixed'. */
export type EstimateSourceSummary = GuessSource | 'mixed';

/** The sources of an execution's tasks, summarised. */
export function summariseSources(sources: readonly string[]): EstimateSourceSummary | null {
  const set = new Set(sources);
  if (set.size === 0) return null;
  if (set.size === 1) return [...set][0] as GuessSource;
  return 'mixed';
}

/** True when no task of the execution had history: its estimate was a guess. */
export function firstRunOf(sources: readonly string[]): boolean {
  return sources.length > 0 && !sources.includes('history');
}

/**
 * One line on how the actual compared with the estimate.
 * @example describeDrift(6300, 100, 'default') // "first run (no history): the estimate was a guess and came out 63× the actual; later plans use this run"
 * @example describeDrift(1000, 1050, 'history') // "4.8% above the estimate (within ±10%)"
 */
export function describeDrift(
  estimateMicros: number,
  actualMicros: number,
  source: EstimateSourceSummary | null,
  firstRun = source !== null && source !== 'history' && source !== 'mixed',
): string {
  if (actualMicros === 0) return estimateMicros === 0 ? 'nothing ran, nothing estimated' : 'nothing ran: no cost';
  const rel = estimateMicros > 0 ? (actualMicros - estimateMicros) / estimateMicros : Infinity;
  let diff: string;
  if (estimateMicros === 0) diff = 'nothing was estimated';
  else if (Math.abs(rel) < 0.0005) diff = 'equal to the estimate';
  else if (actualMicros >= 2 * estimateMicros) diff = `${fmtRatio(actualMicros / estimateMicros)} the estimate`;
  else if (estimateMicros >= 2 * actualMicros) diff = `${fmtRatio(estimateMicros / actualMicros)} below the estimate`;
  else diff = `${(Math.abs(rel) * 100).toFixed(1)}% ${rel > 0 ? 'above' : 'below'} the estimate`;
  const within = estimateMicros > 0 && Math.abs((actualMicros - estimateMicros) / actualMicros) <= 0.1;
  if (firstRun) {
    const what =
      source === 'priors'
        ? 'estimated from similar tasks'
        : source === 'declared'
          ? 'a guess from expectedSec'
          : source === 'mixed'
            ? 'guesses from expectedSec, similar tasks or defaults'
            : 'a guess';
    return `first run of ${source === 'priors' ? 'these tasks' : 'this workflow'} (no history; ${what}): actual ${diff}${within ? ' (within ±10%)' : ''}; later plans use this run`;
  }
  return `actual ${diff}${within ? ' (within ±10%)' : ' (outside ±10%)'}`;
}

function fmtRatio(r: number): string {
  return r >= 10 ? `${Math.round(r)}×` : `${r.toFixed(1)}×`;
}
