// Go's time.ParseDuration ("1h2m3.5s", "-1.5h", "300ms"), exact to the nanosecond.

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const LIMIT = 1n << 63n;

/** A Go-worded duration error ("time: invalid duration ..."). */
export class DurationError extends Error {}

const quote = (s: string): string => JSON.stringify(s);

/** Parse a Go duration string into nanoseconds (bigint within int64), as Go's time.ParseDuration. */
export function parseGoDuration(orig: string): bigint {
  const invalid = (): DurationError => new DurationError(`time: invalid duration ${quote(orig)}`);
  let s = orig;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  let total = 0n;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const intPart = m[1]!;
    const fracPart = m[2];
    if (intPart === '' && (fracPart === undefined || fracPart === '')) throw invalid();
    s = s.slice(m[0].length);
    let i = 0;
    while (i < s.length && s[i] !== '.' && !(s[i]! >= '0' && s[i]! <= '9')) i++;
    if (i === 0) throw new DurationError(`time: missing unit in duration ${quote(orig)}`);
    const u = s.slice(0, i);
    s = s.slice(i);
    const unit = UNITS[u];
    if (unit === undefined) throw new DurationError(`time: unknown unit ${quote(u)} in duration ${quote(orig)}`);
    let v = intPart === '' ? 0n : BigInt(intPart);
    if (v > LIMIT / unit) throw invalid();
    v *= unit;
    v += fraction(fracPart ?? '', unit);
    if (v > LIMIT) throw invalid();
    total += v;
    if (total > LIMIT) throw invalid();
  }
  if (neg) return -total;
  if (total > LIMIT - 1n) throw invalid();
  return total;
}

// Go multiplies the fraction in float64: uint64(float64(f) * (float64(unit) / scale)).
function fraction(digits: string, unit: bigint): bigint {
  let f = 0n;
  let scale = 1;
  for (const d of digits) {
    if (f > ((1n << 63n) - 1n) / 10n) break; // Go stops accumulating on overflow
    f = f * 10n + BigInt(d);
    scale *= 10;
  }
  if (f === 0n) return 0n;
  return BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
}
