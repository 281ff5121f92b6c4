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

// OPA 1.22.3's table for units.parse, matched after lower-casing all but the unit's first letter
// (so m is milli and M mega). Other SI prefixes (Regorus's Q R Y Z h da d c μ n f a z y r q, Zi, Yi)
// are refused, as OPA refuses them.
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
};
['k', 'm', 'g', 't', 'p', 'e'].forEach((u, i) => {
  SI[`${u}i`] = SI[`${u.toUpperCase()}i`] = p2(10 * (i + 1));
});

// Byte units of units.parse_bytes, matched after lower-casing the whole unit (OPA's table).
const BYTES: Record<string, Scale> = { '': p10(0) };
['k', 'm', 'g', 't', 'p', 'e'].forEach((u, i) => {
  BYTES[u] = BYTES[`${u}b`] = p10(3 * (i + 1));
  BYTES[`${u}i`] = BYTES[`${u}ib`] = p2(10 * (i + 1));
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

// An unknown unit is a builtin error, as in OPA (undefined unless builtin errors are strict).
function amount(raw: string, name: string, table: Record<string, Scale>, unitKey: (u: string) => string, what: string): Scale {
  const s = raw.replaceAll('"', '');
  if (s.includes(' ')) throw new UnitsError(`${name}: spaces not allowed in resource strings`, true);
  const [num, unit] = splitAmount(s);
  if (num === '') throw new UnitsError(`${name}: no ${what}amount provided`);
  const key = unitKey(unit);
  const scale = table[key];
  if (!scale) throw new UnitsError(`${name}: ${what}unit ${key} not recognized`);
  const q = parseDecimal(num);
  if (!q) throw new UnitsError(`${name}: could not parse ${what}amount to a number`);
  return [q[0] * scale[0], q[1] * scale[1]];
}

/** units.parse: an exact integer (bigint) when integral, else the nearest float. */
export function parseUnits(raw: string): bigint | number {
  const caseRule = (u: string): string => (u.length > 1 ? [...u][0]! + [...u].slice(1).join('').toLowerCase() : u);
  const [n, d] = amount(raw, 'units.parse', SI, caseRule, '');
  if (n % d === 0n) return n / d;
  return ratioToFloat(n, d);
}

/** units.parse_bytes: integer bytes, the fraction truncated (OPA's big.Float → Int). */
export function parseBytes(raw: string): bigint {
  const [n, d] = amount(raw, 'units.parse_bytes', BYTES, (u) => u.toLowerCase(), 'byte ');
  return n / d;
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
