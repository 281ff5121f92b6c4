// Builtin registry of the Rego engine. Helper R2's builtin families depend on these exports: extend, never rename.
import { isNumber, RObject, RSet, typeName, type Value } from '../value.js';

/** What a builtin may reach besides its arguments. Fixed for one evaluation. */
export interface BuiltinContext {
  /** Nanoseconds since the epoch, fixed per evaluation. */
  now(): bigint;
  /** Emit one line of print() output. */
  print(line: string): void;
  /** Strict mode: builtin errors are raised instead of making the expression undefined. */
  strict: boolean;
  /** Deterministic randomness in [0, 1); absent means Math.random-free fallback (0). */
  random?: () => number;
  /** Per-evaluation cache for non-deterministic builtins (one value per evaluation). */
  cache: Map<string, Value>;
  /**
   * Charge `units` (elements or characters about to be built) to the evaluation's step and size
   * limits; throws BuiltinError of kind 'limit' past them. Absent: unlimited.
   */
  budget?: (units: number, what: string) => void;
}

/** Charge a collection or string about to be built by builtin `name` (see BuiltinContext.budget). */
export function charge(bctx: BuiltinContext | undefined, units: number | bigint, name: string): void {
  if (!bctx?.budget) return;
  const n = typeof units === 'bigint' ? (units > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(units)) : units;
  if (n > 0) bctx.budget(n, name);
}

/** A builtin: returns a Value, or undefined for "no result". Throws BuiltinError on bad input. */
export type BuiltinFn = (args: Value[], bctx: BuiltinContext) => Value | undefined;

export interface BuiltinDef {
  name: string;
  arity: number;
  fn: BuiltinFn;
  /** One value per evaluation (cached by name and arguments). */
  nondeterministic?: boolean;
  /** Raised even in non-strict mode (e.g. unsupported builtins). */
  alwaysRaise?: boolean;
}

/** An error raised by a builtin; the evaluator locates it and decides (strict mode) to raise it. */
export class BuiltinError extends Error {
  /** 'type' for operand type errors (OPA eval_type_error), 'limit' for step/size limits (always raised), 'builtin' for the rest. */
  constructor(
    message: string,
    readonly kind: 'type' | 'builtin' | 'unsupported' | 'limit' = 'builtin',
  ) {
    super(message);
    this.name = 'BuiltinError';
  }
}

const registry = new Map<string, BuiltinDef>();
const families = new Map<string, string[]>();

/** Register a family of builtins (one family per file). */
export function registerBuiltins(family: string, defs: BuiltinDef[]): void {
  const names = families.get(family) ?? [];
  for (const d of defs) {
    registry.set(d.name, d);
    names.push(d.name);
  }
  families.set(family, names);
}

/** The builtin of that name, if any. */
export function lookupBuiltin(name: string): BuiltinDef | undefined {
  return registry.get(name);
}

/** All registered builtin names (sorted). */
export function builtinNames(): string[] {
  return [...registry.keys()].sort();
}

/** Family name → builtin names. */
export function builtinFamilies(): ReadonlyMap<string, string[]> {
  return families;
}

// ---------- shared argument checks ----------

function operandError(name: string, i: number, want: string, got: Value): BuiltinError {
  return new BuiltinError(`${name}: operand ${i + 1} must be ${want} but got ${typeName(got)}`, 'type');
}

export function argNumber(args: Value[], i: number, name: string): number | bigint {
  const v = args[i]!;
  if (!isNumber(v)) throw operandError(name, i, 'number', v);
  return v;
}
/** An integral number as a JS number (throws when not integral). */
export function argInt(args: Value[], i: number, name: string): number {
  const v = argNumber(args, i, name);
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (!Number.isInteger(n)) throw new BuiltinError(`${name}: operand ${i + 1} must be integer number but got floating-point number`, 'type');
  return n;
}
export function argString(args: Value[], i: number, name: string): string {
  const v = args[i]!;
  if (typeof v !== 'string') throw operandError(name, i, 'string', v);
  return v;
}
export function argBoolean(args: Value[], i: number, name: string): boolean {
  const v = args[i]!;
  if (typeof v !== 'boolean') throw operandError(name, i, 'boolean', v);
  return v;
}
export function argArray(args: Value[], i: number, name: string): Value[] {
  const v = args[i]!;
  if (!Array.isArray(v)) throw operandError(name, i, 'array', v);
  return v;
}
export function argObject(args: Value[], i: number, name: string): RObject {
  const v = args[i]!;
  if (!(v instanceof RObject)) throw operandError(name, i, 'object', v);
  return v;
}
export function argSet(args: Value[], i: number, name: string): RSet {
  const v = args[i]!;
  if (!(v instanceof RSet)) throw operandError(name, i, 'set', v);
  return v;
}
/** An array or a set, as an array of elements (set elements sorted). */
export function argArrayOrSet(args: Value[], i: number, name: string): Value[] {
  const v = args[i]!;
  if (Array.isArray(v)) return v;
  if (v instanceof RSet) return v.values();
  throw operandError(name, i, 'one of {array, set}', v);
}
/** Generic check: `want` is the OPA type description used in the message. */
export function argOf<T extends Value>(args: Value[], i: number, name: string, want: string, pred: (v: Value) => v is T): T {
  const v = args[i]!;
  if (!pred(v)) throw operandError(name, i, want, v);
  return v;
}
