/**
 * Exact decimal arithmetic for Rego numbers (OPA computes with arbitrary-precision decimals).
 *
 * A runtime number is a JS `number` (non-integers and safe integers) or a `bigint` (integers beyond
 * 2^53). Arithmetic reads each operand as the decimal it was written as: a bigint exactly, a float as
 * its shortest round-trip decimal text (so 3.27 is 327e-2, not the binary 3.26999…). Sums, differences
 * and products are then exact; quotients are exact when they terminate within DIV_DIGITS significant
 * digits, else truncated there. A non-integral result is stored as the nearest float64, which prints
 * back as the exact decimal whenever it has at most 15 significant digits (≈17 otherwise: the fixed
 * precision of inexact results). Integral results stay exact at any size (bigint).
 */
import { mkNumber } from './value.js';

type Num = number | bigint;

/** value = m × 10^e */
interface Dec {
  m: bigint;
  e: number;
}

/** Significant digits kept by an inexact quotient before it is rounded to float64. */
export const DIV_DIGITS = 40;

const DEC_TEXT = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/;

/** The decimal a number stands for (shortest round-trip text of a float). */
function toDec(x: Num): Dec {
  if (typeof x === 'bigint') return { m: x, e: 0 };
  if (Number.isSafeInteger(x)) return { m: BigInt(x), e: 0 };
  const p = DEC_TEXT.exec(String(x));
  if (!p) throw new RangeError(`not a finite number: ${x}`);
  const frac = p[3] ?? '';
  return { m: BigInt(p[1]! + p[2]! + frac), e: Number(p[4] ?? 0) - frac.length };
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** Back to a runtime number: integral values exactly, others as the nearest float64. */
function fromDec(d: Dec): Num {
  if (d.m === 0n) return 0;
  if (d.e >= 0) return mkNumber(d.m * pow10(d.e));
  const q = pow10(-d.e);
  if (d.m % q === 0n) return mkNumber(d.m / q);
  return mkNumber(Number(`${d.m}e${d.e}`));
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  return [a.m * pow10(a.e - e), b.m * pow10(b.e - e), e];
}

const finite = (a: Num, b: Num): boolean => (typeof a !== 'number' || Number.isFinite(a)) && (typeof b !== 'number' || Number.isFinite(b));
const safeInts = (a: Num, b: Num): a is number => Number.isSafeInteger(a) && Number.isSafeInteger(b);

/** Exact a + b. @example decAdd(0.1, 0.2) // 0.3 */
export function decAdd(a: Num, b: Num): Num {
  if (safeInts(a, b)) return mkNumber((a as number) + (b as number));
  if (!finite(a, b)) return mkNumber(Number(a) + Number(b));
  const [x, y, e] = align(toDec(a), toDec(b));
  return fromDec({ m: x + y, e });
}

/** Exact a - b. */
export function decSub(a: Num, b: Num): Num {
  if (safeInts(a, b)) return mkNumber((a as number) - (b as number));
  if (!finite(a, b)) return mkNumber(Number(a) - Number(b));
  const [x, y, e] = align(toDec(a), toDec(b));
  return fromDec({ m: x - y, e });
}

/** Exact a × b. */
export function decMul(a: Num, b: Num): Num {
  if (safeInts(a, b)) {
    const r = (a as number) * (b as number);
    if (Number.isSafeInteger(r)) return r === 0 ? 0 : r;
  }
  if (!finite(a, b)) return mkNumber(Number(a) * Number(b));
  const x = toDec(a);
  const y = toDec(b);
  return fromDec({ m: x.m * y.m, e: x.e + y.e });
}

/** a ÷ b (b ≠ 0): exact when the quotient terminates within DIV_DIGITS digits. @example decDiv(1, 4) // 0.25 */
export function decDiv(a: Num, b: Num): Num {
  if (!finite(a, b)) return mkNumber(Number(a) / Number(b));
  const x = toDec(a);
  const y = toDec(b);
  const digits = (v: bigint): number => (v < 0n ? -v : v).toString().length;
  const k = Math.max(0, DIV_DIGITS + digits(y.m) - digits(x.m));
  return fromDec({ m: (x.m * pow10(k)) / y.m, e: x.e - y.e - k });
}

/** Is the number zero? */
export function isZero(x: Num): boolean {
  return typeof x === 'bigint' ? x === 0n : x === 0;
}
