/** Numeric builtins: arithmetic operators, rounding, ranges, to_number, rand.intn. */
import { isInteger, mkNumber, RSet, toBigInt, typeName, type Value } from '../value.js';
import { add, div, mul, rem, sub, toFloat } from './arith.js';
import { argNumber, argString, type BuiltinContext, BuiltinError, type BuiltinFn, charge, registerBuiltins } from './registry.js';

const binary =
  (name: string, op: (a: number | bigint, b: number | bigint) => number | bigint): BuiltinFn =>
  (args) =>
    op(argNumber(args, 0, name), argNumber(args, 1, name));

const minus: BuiltinFn = (args) => {
  const [a, b] = args;
  if (a instanceof RSet && b instanceof RSet) return new RSet(a.values().filter((x) => !b.has(x)));
  if (a instanceof RSet || b instanceof RSet) {
    throw new BuiltinError(`minus: operand ${a instanceof RSet ? 2 : 1} must be set but got ${typeName(a instanceof RSet ? b! : a!)}`, 'type');
  }
  return sub(argNumber(args, 0, 'minus'), argNumber(args, 1, 'minus'));
};

/** Go's math.Round: half away from zero. */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

const rounding =
  (name: string, fn: (x: number) => number): BuiltinFn =>
  (args) => {
    const x = argNumber(args, 0, name);
    return isInteger(x) ? x : mkNumber(fn(x as number));
  };

function range(a: bigint, b: bigint, step: bigint, bctx: BuiltinContext, name: string): Value[] {
  charge(bctx, (a <= b ? b - a : a - b) / step + 1n, name); // before building: range(1, 1e12) fails cleanly
  const out: Value[] = [];
  if (a <= b) for (let i = a; i <= b; i += step) out.push(mkNumber(i));
  else for (let i = a; i >= b; i -= step) out.push(mkNumber(i));
  return out;
}

function intArg(args: Value[], i: number, name: string): bigint {
  const v = argNumber(args, i, name);
  const b = toBigInt(v);
  if (b === undefined) throw new BuiltinError(`${name}: operand ${i + 1} must be integer but got floating-point number`, 'type');
  return b;
}

const JSON_NUM = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

const toNumber: BuiltinFn = (args) => {
  const v = args[0]!;
  if (v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (typeof v === 'string') {
    // Go's ParseFloat accepts NaN and infinities; OPA rejects them as a type error
    if (/^[+-]?(nan|inf|infinity)$/i.test(v)) throw new BuiltinError('to_number: operand 1 must be valid number string but got string', 'type');
    const s = v.trim() === v ? v : '';
    if (!JSON_NUM.test(s.replace(/^\+/, ''))) throw new BuiltinError(`to_number: strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
    if (!Number.isFinite(Number(s))) throw new BuiltinError(`to_number: strconv.ParseFloat: parsing ${JSON.stringify(v)}: value out of range`);
    return mkNumber(s.replace(/^\+/, ''));
  }
  throw new BuiltinError(`to_number: operand 1 must be one of {boolean, null, number, string} but got ${typeName(v)}`, 'type');
};

registerBuiltins('numbers', [
  { name: 'plus', arity: 2, fn: binary('plus', add) },
  { name: 'minus', arity: 2, fn: minus },
  { name: 'mul', arity: 2, fn: binary('mul', mul) },
  { name: 'div', arity: 2, fn: binary('div', div) },
  { name: 'rem', arity: 2, fn: binary('rem', rem) },
  {
    name: 'abs',
    arity: 1,
    fn: (args) => {
      const x = argNumber(args, 0, 'abs');
      return typeof x === 'bigint' ? (x < 0n ? -x : x) : Math.abs(x);
    },
  },
  { name: 'round', arity: 1, fn: rounding('round', roundHalfAway) },
  { name: 'ceil', arity: 1, fn: rounding('ceil', Math.ceil) },
  { name: 'floor', arity: 1, fn: rounding('floor', Math.floor) },
  { name: 'numbers.range', arity: 2, fn: (args, bctx) => range(intArg(args, 0, 'numbers.range'), intArg(args, 1, 'numbers.range'), 1n, bctx, 'numbers.range') },
  {
    name: 'numbers.range_step',
    arity: 3,
    fn: (args, bctx) => {
      const step = intArg(args, 2, 'numbers.range_step');
      if (step <= 0n) throw new BuiltinError('numbers.range_step: step must be a positive integer');
      return range(intArg(args, 0, 'numbers.range_step'), intArg(args, 1, 'numbers.range_step'), step, bctx, 'numbers.range_step');
    },
  },
  { name: 'to_number', arity: 1, fn: toNumber },
  {
    name: 'rand.intn',
    arity: 2,
    nondeterministic: true,
    fn: (args, bctx) => {
      argString(args, 0, 'rand.intn');
      const raw = argNumber(args, 1, 'rand.intn');
      if (!isInteger(raw)) return undefined;
      const n = Math.abs(Number(raw));
      if (n === 0) return 0;
      return Math.floor((bctx.random?.() ?? 0) * n);
    },
  },
]);

export { toFloat };
