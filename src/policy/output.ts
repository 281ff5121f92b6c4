/**
 * Turning interpreter values into output data: sets become sorted arrays, objects with non-string keys
 * get their JSON text as key, integers beyond 2^53 stay exact (bigint, printed by `stringifyJson`).
 */
import { compareValues, formatJson, RObject, RSet, type Value } from './rego/value.js';

/**
 * Plain JSON data (bigint allowed) from a Rego value or plain JS data.
 * @example toPlainJson(new RSet(['b', 'a'])) // ['a', 'b']
 */
export function toPlainJson(v: unknown): unknown {
  if (v === null || v === undefined) return v ?? null;
  if (typeof v === 'number') return Object.is(v, -0) ? 0 : v;
  if (typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(toPlainJson);
  if (v instanceof RSet) return v.values().map(toPlainJson);
  if (v instanceof RObject) return objectOf(v.entries());
  if (v instanceof Set)
    return [...v]
      .map((x) => x as Value)
      .sort(compareValues)
      .map(toPlainJson);
  if (v instanceof Map) return objectOf([...v.entries()].sort((a, b) => compareValues(a[0] as Value, b[0] as Value)));
  return objectOf(Object.entries(v as Record<string, unknown>));
}

function objectOf(entries: Iterable<readonly [unknown, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, val] of entries) {
    const key = typeof k === 'string' ? k : formatJson(k as Value);
    // defineProperty only for "__proto__", which plain assignment would turn into a prototype change
    if (key === '__proto__') Object.defineProperty(out, key, { value: toPlainJson(val), enumerable: true, writable: true, configurable: true });
    else out[key] = toPlainJson(val);
  }
  return out;
}
