/** Arithmetic shared by the numeric builtins: exact decimals (see ../decimal.ts), integers as bigint. */
import { decAdd, decDiv, decMul, decSub, isZero } from '../decimal.js';
import { isInteger, mkNumber, toBigInt } from '../value.js';
import { BuiltinError } from './registry.js';

type Num = number | bigint;

const f = (x: Num): number => (typeof x === 'bigint' ? Number(x) : x);

export const add = decAdd;
export const sub = decSub;
export const mul = decMul;

export function div(a: Num, b: Num): Num {
  if (isZero(b)) throw new BuiltinError('div: divide by zero');
  return decDiv(a, b);
}
export function rem(a: Num, b: Num): Num {
  if (!isInteger(a) || !isInteger(b)) throw new BuiltinError('rem: modulo on floating-point number');
  const x = toBigInt(a)!;
  const y = toBigInt(b)!;
  if (y === 0n) throw new BuiltinError('rem: modulo by zero');
  return mkNumber(x % y);
}
export function neg(a: Num): Num {
  return typeof a === 'bigint' ? mkNumber(-a) : mkNumber(-a);
}
export { f as toFloat };
