/** Accuracy figures over executions with an estimate and an actual: the cost report's math. */
import { driftPct, microsToUsd } from './money.js';
import { median, quantile } from './stats.js';

/** Share within ±10% below which the report raises an alert (spec §10). */
export const ALERT_SHARE = 0.95;
export const TOLERANCE_PCT = 10;

export interface DriftSample {
  executionId: string;
  workflow: string;
  tenantId: string;
  estimatedMicros: number;
  actualMicros: number;
  finishedAt: string;
}

export interface Offender {
  executionId: string;
  workflow: string;
  estimatedUSD: number;
  actualUSD: number;
  driftPct: number;
  finishedAt: string;
}

export interface Accuracy {
  /** Executions compared (actual > 0). */
  count: number;
  /** Executions left out because nothing ran (actual 0). */
  excluded: number;
  withinTolerance: number;
  /** Share (0..1) of compared executions with |drift| ≤ 10%. */
  shareWithin10Pct: number;
  medianAbsDriftPct: number | null;
  p95AbsDriftPct: number | null;
  /** Signed mean drift: positive when estimates run low. */
  meanDriftPct: number | null;
  estimatedUSD: number;
  actualUSD: number;
}

/**
 * Accuracy over samples.
 * @example accuracy([{ estimatedMicros: 95, actualMicros: 100, ... }]).shareWithin10Pct // 1
 */
export function accuracy(samples: readonly DriftSample[]): Accuracy {
  const ran = samples.filter((s) => s.actualMicros > 0);
  const drifts = ran.map((s) => driftPct(s.estimatedMicros, s.actualMicros)!);
  const abs = drifts.map(Math.abs);
  const within = abs.filter((d) => d <= TOLERANCE_PCT).length;
  const r2 = (n: number) => Math.round(n * 100) / 100;
  return {
    count: ran.length,
    excluded: samples.length - ran.length,
    withinTolerance: within,
    shareWithin10Pct: ran.length ? Math.round((within / ran.length) * 10_000) / 10_000 : 0,
    medianAbsDriftPct: abs.length ? r2(median(abs)) : null,
    p95AbsDriftPct: abs.length ? r2(quantile(abs, 0.95)) : null,
    meanDriftPct: drifts.length ? r2(drifts.reduce((a, b) => a + b, 0) / drifts.length) : null,
    estimatedUSD: microsToUsd(ran.reduce((s, x) => s + x.estimatedMicros, 0)),
    actualUSD: microsToUsd(ran.reduce((s, x) => s + x.actualMicros, 0)),
  };
}

/** The `limit` executions with the largest absolute drift, worst first. */
export function worstOffenders(samples: readonly DriftSample[], limit = 5): Offender[] {
  return samples
    .filter((s) => s.actualMicros > 0)
    .map((s) => ({
      executionId: s.executionId,
      workflow: s.workflow,
      estimatedUSD: microsToUsd(s.estimatedMicros),
      actualUSD: microsToUsd(s.actualMicros),
      driftPct: driftPct(s.estimatedMicros, s.actualMicros)!,
      finishedAt: s.finishedAt,
    }))
    .sort((a, b) => Math.abs(b.driftPct) - Math.abs(a.driftPct) || a.executionId.localeCompare(b.executionId))
    .slice(0, limit);
}

/** The alert line, or null when accuracy is on target (or there is nothing to judge). */
export function alertLine(a: Accuracy): string | null {
  if (a.count === 0 || a.shareWithin10Pct >= ALERT_SHARE) return null;
  return `ALERT: only ${(a.shareWithin10Pct * 100).toFixed(1)}% of ${a.count} executions within ±${TOLERANCE_PCT}% of actual (target ≥ ${ALERT_SHARE * 100}%); run \`maestro cost calibrate\``;
}

/**
 * Parse a --since value: a duration (`90m`, `36h`, `7d`, `2w`) or an ISO date/time. Returns ms epoch.
 * Returns null for anything else.
 */
export function parseSince(value: string, nowMs: number): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(m|h|d|w)$/.exec(value.trim());
  if (m) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'm' | 'h' | 'd' | 'w'];
    return nowMs - Number(m[1]) * unit;
  }
  const t = Date.parse(value);
  return /^\d{4}-\d{2}-\d{2}/.test(value) && Number.isFinite(t) ? t : null;
}
