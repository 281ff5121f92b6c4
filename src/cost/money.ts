/**
 * Money: integer micro-dollars (1 USD = 1,000,000 µ$) in the store and in every sum. USD numbers
 * appear only at the edges: `estimatedCostUSD` = micros / 1e6, exact to the micro-dollar (6 decimals).
 */

export const MICROS_PER_USD = 1_000_000;

/** Round a fractional micro-dollar amount to an integer (half away from zero). */
export function roundMicros(micros: number): number {
  if (!Number.isFinite(micros)) return 0;
  return Math.sign(micros) * Math.round(Math.abs(micros));
}

/** USD (a number) from integer micro-dollars, exact to 6 decimals. */
export function microsToUsd(micros: number): number {
  return Number((micros / MICROS_PER_USD).toFixed(6));
}

/** Integer micro-dollars from a USD number (for budgets given in USD). */
export function usdToMicros(usd: number): number {
  return roundMicros(usd * MICROS_PER_USD);
}

/** Drift of an estimate against the actual, as a fraction: (actual − estimate) / actual (null when actual is 0). */
export function driftFraction(estimateMicros: number, actualMicros: number): number | null {
  if (actualMicros === 0) return estimateMicros === 0 ? 0 : null;
  return (actualMicros - estimateMicros) / actualMicros;
}

/** Drift in percent, rounded to 2 decimals (null when undefined). */
export function driftPct(estimateMicros: number, actualMicros: number): number | null {
  const d = driftFraction(estimateMicros, actualMicros);
  return d === null ? null : Math.round(d * 10_000) / 100;
}
