/** Bitwise builtins on integers (exact via bigint). */
import { mkNumber, type Value } from '../value.js';
import { argNumber, BuiltinError, type BuiltinFn, registerBuiltins } from './registry.js';

function int(args: Value[], i: number, name: string): bigint {
  const v = argNumber(args, i, name);
  if (typeof v === 'bigint') return v;
  if (!Number.isInteger(v)) throw new BuiltinError(`${name}: operand ${i + 1} must be integer number but got floating-point number`, 'type');
  return BigInt(v);
}
const op2 =
  (name: string, f: (a: bigint, b: bigint) => bigint): BuiltinFn =>
  (args) =>
    mkNumber(f(int(args, 0, name), int(args, 1, name)));

registerBuiltins('bitwise', [
  { name: 'bits.and', arity: 2, fn: op2('bits.and', (a, b) => a & b) },
  { name: 'bits.or', arity: 2, fn: op2('bits.or', (a, b) => a | b) },
  { name: 'bits.xor', arity: 2, fn: op2('bits.xor', (a, b) => a ^ b) },
  { name: 'bits.negate', arity: 1, fn: (args) => mkNumber(~int(args, 0, 'bits.negate')) },
  {
    name: 'bits.lsh',
    arity: 2,
    fn: op2('bits.lsh', (a, b) => {
      if (b < 0n) throw new BuiltinError('bits.lsh: shift must be non-negative');
      return a << b;
    }),
  },
  {
    name: 'bits.rsh',
    arity: 2,
    fn: op2('bits.rsh', (a, b) => {
      if (b < 0n) throw new BuiltinError('bits.rsh: shift must be non-negative');
      return a >> b;
    }),
  },
]);
