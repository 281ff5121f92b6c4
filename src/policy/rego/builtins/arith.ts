/** Exact arithmetic helpers shared by the numeric builtins: integers as bigint, others as float64. */
import { isInteger, mkNumber, toBigInt } from '../value.js';
import { BuiltinError } from './registry.js';

type Num = number | bigint;

function bothInts(a: Num, b: Num): [bigint, bigint] | undefined {
  if (isInteger(a) && isInteger(b)) return [toBigInt(a)!, toBigInt(b)!];
  return undefined;
}
const f = (x: Num): number => (typeof x === 'bigint' ? Number(x) : x);

export function add(a: Num, b: Num): Num {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r) || !Number.isInteger(a) || !Number.isInteger(b)) return mkNumber(r);
  }
  const ints = bothInts(a, b);
  return ints ? mkNumber(ints[0] + ints[1]) : mkNumber(f(a) + f(b));
}
export function sub(a: Num, b: Num): Num {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (Number.isSafeInteger(r) || !Number.isInteger(a) || !Number.isInteger(b)) return mkNumber(r);
  }
  const ints = bothInts(a, b);
  return ints ? mkNumber(ints[0] - ints[1]) : mkNumber(f(a) - f(b));
}
export function mul(a: Num, b: Num): Num {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    if (Number.isSafeInteger(r) || !Number.isInteger(a) || !Number.isInteger(b)) return mkNumber(r);
  }
  const ints = bothInts(a, b);
  return ints ? mkNumber(ints[0] * ints[1]) : mkNumber(f(a) * f(b));
}
export function div(a: Num, b: Num): Num {
  if (f(b) === 0 && (typeof b === 'number' ? b === 0 : b === 0n)) throw new BuiltinError('div: divide by zero');
  const ints = bothInts(a, b);
  if (ints && ints[0] % ints[1] === 0n) return mkNumber(ints[0] / ints[1]);
  return mkNumber(f(a) / f(b));
}
export function rem(a: Num, b: Num): Num {
  const ints = bothInts(a, b);
  if (!ints) throw new BuiltinError('rem: modulo on floating-point number');
  if (ints[1] === 0n) throw new BuiltinError('rem: modulo by zero');
  return mkNumber(ints[0] % ints[1]);
}
export function neg(a: Num): Num {
  return typeof a === 'bigint' ? mkNumber(-a) : mkNumber(-a);
}
export { f as toFloat };
