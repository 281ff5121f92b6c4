// Runtime value model of the Rego engine. Helper R2's builtins depend on these exports: extend, never rename.
/**
 * Values: JS null / boolean / string as is; numbers are JS `number` (floats and safe integers) or
 * `bigint` (integers beyond 2^53, kept exact); arrays are JS arrays of Value; objects and sets are
 * the classes below, keyed by a canonical key string so composite keys (arrays, objects, sets) work.
 * Objects and sets iterate in OPA's sorted order.
 */

export type Value = null | boolean | string | number | bigint | Value[] | RObject | RSet;

/** Canonical key of a value: equal values (1 and 1.0 included) have equal keys. */
export function keyOf(v: Value): string {
  switch (typeof v) {
    case 'string':
      return `s${v.length}:${v}`;
    case 'number':
      if (Number.isSafeInteger(v)) return `n${v}`;
      if (Number.isInteger(v)) return `n${BigInt(v).toString()}`;
      return `n${String(v)}`;
    case 'bigint':
      return `n${v.toString()}`;
    case 'boolean':
      return v ? 't' : 'f';
    default:
      if (v === null) return 'z';
      if (Array.isArray(v)) {
        let s = '[';
        for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + keyOf(v[i]!);
        return `${s}]`;
      }
      return v.key();
  }
}

/** A Rego object: any Value as key. */
export class RObject {
  readonly map = new Map<string, [Value, Value]>();
  private sorted: Array<[Value, Value]> | undefined;
  private cachedKey: string | undefined;

  constructor(entries?: Iterable<readonly [Value, Value]>) {
    if (entries) for (const [k, v] of entries) this.set(k, v);
  }
  get size(): number {
    return this.map.size;
  }
  /** Insert or replace (only while building). */
  set(k: Value, v: Value): this {
    this.map.set(keyOf(k), [k, v]);
    this.sorted = undefined;
    this.cachedKey = undefined;
    return this;
  }
  get(k: Value): Value | undefined {
    return this.map.get(keyOf(k))?.[1];
  }
  /** Lookup of a string key (fast path). */
  getStr(k: string): Value | undefined {
    return this.map.get(`s${k.length}:${k}`)?.[1];
  }
  has(k: Value): boolean {
    return this.map.has(keyOf(k));
  }
  delete(k: Value): void {
    this.map.delete(keyOf(k));
    this.sorted = undefined;
    this.cachedKey = undefined;
  }
  /** Entries in OPA order (sorted by key). */
  entries(): Array<[Value, Value]> {
    if (!this.sorted) {
      this.sorted = [...this.map.values()].sort((a, b) => compareValues(a[0], b[0]));
    }
    return this.sorted;
  }
  keys(): Value[] {
    return this.entries().map((e) => e[0]);
  }
  values(): Value[] {
    return this.entries().map((e) => e[1]);
  }
  key(): string {
    if (this.cachedKey === undefined) {
      const parts: string[] = [];
      for (const [k, [, v]] of this.map) parts.push(`${k}=${keyOf(v)}`);
      parts.sort();
      this.cachedKey = `{${parts.join(',')}}`;
    }
    return this.cachedKey;
  }
}

/** A Rego set. */
export class RSet {
  readonly map = new Map<string, Value>();
  private sorted: Value[] | undefined;
  private cachedKey: string | undefined;

  constructor(values?: Iterable<Value>) {
    if (values) for (const v of values) this.add(v);
  }
  get size(): number {
    return this.map.size;
  }
  add(v: Value): this {
    const k = keyOf(v);
    if (!this.map.has(k)) {
      this.map.set(k, v);
      this.sorted = undefined;
      this.cachedKey = undefined;
    }
    return this;
  }
  has(v: Value): boolean {
    return this.map.has(keyOf(v));
  }
  /** Elements in OPA order (sorted). */
  values(): Value[] {
    if (!this.sorted) this.sorted = [...this.map.values()].sort(compareValues);
    return this.sorted;
  }
  key(): string {
    if (this.cachedKey === undefined) {
      const parts = [...this.map.keys()].sort();
      this.cachedKey = `<${parts.join(',')}>`;
    }
    return this.cachedKey;
  }
}

// ---------- constructors and predicates ----------

/** Normalise a number: integral values beyond 2^53 become bigint, small bigints become number. */
export function mkNumber(n: number | bigint | string): number | bigint {
  if (typeof n === 'string') return parseNumberLiteral(n);
  if (typeof n === 'bigint') {
    return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n;
  }
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) return BigInt(n);
  if (Object.is(n, -0)) return 0;
  return n;
}

/** Largest exponent of an integral literal kept exactly (a bigint of that many digits). */
export const MAX_LITERAL_EXP = 10_000;

/** Parse a numeric literal exactly: integers (any size) exactly, other forms as float64. */
export function parseNumberLiteral(s: string): number | bigint {
  if (/^-?\d+$/.test(s)) return mkNumber(BigInt(s));
  const f = Number(s);
  if (Number.isNaN(f)) throw new RangeError(`invalid number ${s}`);
  // 1e21 and similar: integral, exact when the mantissa/exponent form is integral; beyond float64
  // (1e400) too, as OPA's arbitrary-precision numbers (up to MAX_LITERAL_EXP digits).
  const m = /^(-?)(\d+)(?:\.(\d*))?[eE]([+-]?\d+)$/.exec(s);
  if (m && (Number.isInteger(f) || !Number.isFinite(f)) && Math.abs(f) > Number.MAX_SAFE_INTEGER) {
    const frac = m[3] ?? '';
    const exp = Number(m[4]) - frac.length;
    if (exp >= 0 && exp < MAX_LITERAL_EXP) {
      const mant = BigInt((m[1] ?? '') + m[2] + frac);
      return mkNumber(mant * 10n ** BigInt(exp));
    }
  }
  return mkNumber(f);
}

export function isNumber(v: Value | undefined): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}
export function isInteger(v: Value | undefined): v is number | bigint {
  return typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
}
export function isObject(v: Value | undefined): v is RObject {
  return v instanceof RObject;
}
export function isSet(v: Value | undefined): v is RSet {
  return v instanceof RSet;
}
export function isArray(v: Value | undefined): v is Value[] {
  return Array.isArray(v);
}
/** JS number of a numeric value (may lose precision for huge integers). */
export function numberToJs(v: number | bigint): number {
  return typeof v === 'bigint' ? Number(v) : v;
}
/** bigint of an integral numeric value, or undefined when it is not integral. */
export function toBigInt(v: number | bigint): bigint | undefined {
  if (typeof v === 'bigint') return v;
  return Number.isInteger(v) ? BigInt(v) : undefined;
}
export function mkSet(values: Iterable<Value> = []): RSet {
  return new RSet(values);
}
export function mkObject(entries: Iterable<readonly [Value, Value]> = []): RObject {
  return new RObject(entries);
}
/** Object with string keys from a plain record. */
export function mkObjectFrom(rec: Record<string, Value>): RObject {
  return new RObject(Object.entries(rec));
}

/** OPA's type_name. */
export function typeName(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'boolean';
    case 'number':
    case 'bigint':
      return 'number';
    case 'string':
      return 'string';
  }
  if (Array.isArray(v)) return 'array';
  return v instanceof RSet ? 'set' : 'object';
}

// ---------- ordering and equality ----------

function typeRank(v: Value): number {
  if (v === null) return 0;
  switch (typeof v) {
    case 'boolean':
      return 1;
    case 'number':
    case 'bigint':
      return 2;
    case 'string':
      return 3;
  }
  if (Array.isArray(v)) return 4;
  return v instanceof RObject ? 5 : 6;
}

/** Compare two numbers exactly (mixed number/bigint included). */
export function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  // mixed: bigint vs float
  const fa = typeof a === 'number' ? a : undefined;
  const fb = typeof b === 'number' ? b : undefined;
  if (fa !== undefined && !Number.isFinite(fa)) return fa > 0 ? 1 : -1;
  if (fb !== undefined && !Number.isFinite(fb)) return fb > 0 ? -1 : 1;
  const ba = typeof a === 'bigint' ? a : BigInt(Math.floor(a));
  const bb = typeof b === 'bigint' ? b : BigInt(Math.floor(b));
  if (ba !== bb) return ba < bb ? -1 : 1;
  const ra = typeof a === 'number' ? a - Math.floor(a) : 0;
  const rb = typeof b === 'number' ? b - Math.floor(b) : 0;
  return ra < rb ? -1 : ra > rb ? 1 : 0;
}

/** OPA's total order: null < boolean < number < string < array < object < set. */
export function compareValues(a: Value, b: Value): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return a === b ? 0 : a ? 1 : -1;
    case 2:
      return compareNumbers(a as number | bigint, b as number | bigint);
    case 3:
      return a! < b! ? -1 : a! > b! ? 1 : 0;
    case 4:
      return compareSeq(a as Value[], b as Value[]);
    case 5:
      return compareObjects(a as RObject, b as RObject);
    default:
      return compareSeq((a as RSet).values(), (b as RSet).values());
  }
}

function compareSeq(a: Value[], b: Value[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function compareObjects(a: RObject, b: RObject): number {
  const ea = a.entries();
  const eb = b.entries();
  const n = Math.min(ea.length, eb.length);
  for (let i = 0; i < n; i++) {
    const kc = compareValues(ea[i]![0], eb[i]![0]);
    if (kc !== 0) return kc;
    const vc = compareValues(ea[i]![1], eb[i]![1]);
    if (vc !== 0) return vc;
  }
  return ea.length === eb.length ? 0 : ea.length < eb.length ? -1 : 1;
}

/** Structural equality (1 == 1.0). */
export function valueEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  const ta = typeof a;
  if (ta === 'string' || ta === 'boolean' || a === null || b === null) return false;
  if ((ta === 'number' || ta === 'bigint') && isNumber(b)) return compareNumbers(a as number, b) === 0;
  if (ta !== 'object' || typeof b !== 'object') return false;
  return keyOf(a) === keyOf(b);
}

// ---------- iteration helpers ----------

/** Iterate [key, value] pairs of a collection: arrays by index, objects by key, sets as (v, v). */
export function collectionEntries(v: Value): Array<[Value, Value]> {
  if (Array.isArray(v)) return v.map((x, i) => [i, x]);
  if (v instanceof RObject) return v.entries();
  if (v instanceof RSet) return v.values().map((x) => [x, x]);
  return [];
}

/** Index into a collection (arrays by integer, objects by key, sets by membership). */
export function getIndex(coll: Value, key: Value): Value | undefined {
  if (Array.isArray(coll)) {
    if (typeof key === 'number' && Number.isInteger(key) && key >= 0 && key < coll.length) return coll[key];
    return undefined;
  }
  if (coll instanceof RObject) return coll.get(key);
  if (coll instanceof RSet) return coll.has(key) ? key : undefined;
  return undefined;
}

// JSON conversion and text forms live in value-json.ts (re-exported here for builtin families).
export { formatJson, formatNumber, formatRego, fromJson, toJson } from './value-json.js';
