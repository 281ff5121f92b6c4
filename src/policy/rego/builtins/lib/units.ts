// units.parse / units.parse_bytes: OPA's splitting of amount and unit, exact rational arithmetic.

/** A unit error worded as OPA's; `shape` marks malformed input (spaces) raised even when not strict. */
export class UnitsError extends Error {
  constructor(
    message: string,
    readonly shape = false,
  ) {
    super(message);
  }
}

/** An exact rational multiplier: num / den. */
type Scale = [bigint, bigint];
const p10 = (e: number): Scale => (e >= 0 ? [10n ** BigInt(e), 1n] : [1n, 10n ** BigInt(-e)]);
const p2 = (e: number): Scale => [2n ** BigInt(e), 1n];
// Y, R, Q (10^24, 10^27, 10^30) exist only in Regorus, which scales by the float64 nearest 10^k; that
// float is taken here exactly (10^21 and below are exact floats anyway).
const f10 = (e: number): Scale => [BigInt(Number(`1e${e}`)), 1n];

// OPA's table plus the SI prefixes Regorus also accepts (Q R Y Z h da d c μ n f a z y r q, Zi, Yi).
const SI: Record<string, Scale> = {
  '': p10(0),
  m: p10(-3),
  k: p10(3),
  K: p10(3),
  M: p10(6),
  g: p10(9),
  G: p10(9),
  t: p10(12),
  T: p10(12),
  p: p10(15),
  P: p10(15),
  e: p10(18),
  E: p10(18),
  Z: p10(21),
  Y: f10(24),
  R: f10(27),
  Q: f10(30),
  h: p10(2),
  da: p10(1),
  d: p10(-1),
  c: p10(-2),
  μ: p10(-6),
  µ: p10(-6),
  u: p10(-6),
  n: p10(-9),
  f: p10(-15),
  a: p10(-18),
  z: p10(-21),
  y: p10(-24),
  r: p10(-27),
  q: p10(-30),
  ki: p2(10),
  Ki: p2(10),
  mi: p2(20),
  Mi: p2(20),
  gi: p2(30),
  Gi: p2(30),
  ti: p2(40),
  Ti: p2(40),
  pi: p2(50),
  Pi: p2(50),
  ei: p2(60),
  Ei: p2(60),
  zi: p2(70),
  Zi: p2(70),
  yi: p2(80),
  Yi: p2(80),
};

// Byte units, matched after lower-casing the whole unit.
const BYTES: Record<string, Scale> = { '': p10(0) };
['k', 'm', 'g', 't', 'p', 'e', 'z', 'y', 'r', 'q'].forEach((u, i) => {
  BYTES[u] = BYTES[`${u}b`] = i < 7 ? p10(3 * (i + 1)) : f10(3 * (i + 1));
  if (i < 8) BYTES[`${u}i`] = BYTES[`${u}ib`] = p2(10 * (i + 1));
});

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** Split "10.5Gi" into ["10.5", "Gi"], as OPA's extractNumAndUnit (scientific notation kept). */
export function splitAmount(s: string): [string, string] {
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (!isDigit(c) && c !== '.' && c !== 'e' && c !== 'E' && c !== '+' && c !== '-') return [s.slice(0, i), s.slice(i)];
    if (c === 'e' || c === 'E') {
      const n = s[i + 1];
      if (!isDigit(n) && n !== '+' && n !== '-') return [s.slice(0, i), s.slice(i)];
      if (n === '+' || n === '-') i++;
    }
  }
  return [s, ''];
}

/** Exact rational of a decimal literal ("1.5e3"), or undefined when it is not one. */
function parseDecimal(s: string): Scale | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const frac = m[3] ?? '';
  const exp = Number(m[4] ?? '0') - frac.length;
  if (Math.abs(exp) > 1000) return undefined;
  const mant = BigInt(m[1] + (m[2] || '0') + frac);
  const [n, d] = p10(exp);
  return [mant * n, d];
}

// An unknown unit gives no result (undefined) rather than an error, as Regorus answers even in
// strict mode; OPA's error would be undefined in its default non-strict mode too.
function amount(raw: string, name: string, table: Record<string, Scale>, unitKey: (u: string) => string, what: string): Scale | undefined {
  const s = raw.replaceAll('"', '');
  if (s.includes(' ')) throw new UnitsError(`${name}: spaces not allowed in resource strings`, true);
  const [num, unit] = splitAmount(s);
  if (num === '') throw new UnitsError(`${name}: no ${what}amount provided`);
  const scale = table[unitKey(unit)];
  if (!scale) return undefined;
  const q = parseDecimal(num);
  if (!q) throw new UnitsError(`${name}: could not parse ${what}amount to a number`);
  return [q[0] * scale[0], q[1] * scale[1]];
}

/** units.parse: an exact integer (bigint) when integral, else the nearest float; undefined for an unknown unit. */
export function parseUnits(raw: string): bigint | number | undefined {
  const caseRule = (u: string): string => (u.length > 1 ? [...u][0]! + [...u].slice(1).join('').toLowerCase() : u);
  const q = amount(raw, 'units.parse error', SI, caseRule, '');
  if (!q) return undefined;
  const [n, d] = q;
  if (n % d === 0n) return n / d;
  return ratioToFloat(n, d);
}

/** units.parse_bytes: integer bytes, the fraction truncated (OPA's big.Float → Int); undefined for an unknown unit. */
export function parseBytes(raw: string): bigint | undefined {
  const q = amount(raw, 'units.parse_bytes', BYTES, (u) => u.toLowerCase(), 'byte ');
  return q && q[0] / q[1];
}

// Nearest float of n/d: scale to 20 significant digits, then let Number() round.
function ratioToFloat(n: bigint, d: bigint): number {
  const neg = n < 0n;
  const a = neg ? -n : n;
  const digits = (x: bigint): number => x.toString().length;
  const shift = 20 - (digits(a) - digits(d));
  const q = shift >= 0 ? (a * 10n ** BigInt(shift)) / d : a / (d * 10n ** BigInt(-shift));
  const f = Number(`${q}e${-shift}`);
  return neg ? -f : f;
}
