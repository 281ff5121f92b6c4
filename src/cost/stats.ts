/** Small robust statistics over plain number arrays (no mutation of the input). */

/** The q-quantile (0..1) with linear interpolation between closest ranks; NaN for an empty array. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const w = pos - lo;
  return sorted[lo]! * (1 - w) + sorted[hi]! * w;
}

/** The median (0.5-quantile). */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Share (0..1) of values satisfying a predicate; 0 for an empty array. */
export function share<T>(values: readonly T[], pred: (v: T) => boolean): number {
  if (values.length === 0) return 0;
  return values.filter(pred).length / values.length;
}
