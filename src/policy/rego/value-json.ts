/** JSON conversion and text forms of Rego values (JSON output, print and sprintf %v). */
import { mkNumber, RObject, RSet, type Value } from './value.js';

/** Convert parsed JSON/YAML (plain JS data, bigint allowed) into a Value. */
export function fromJson(x: unknown): Value {
  if (x === null || x === undefined) return null;
  switch (typeof x) {
    case 'boolean':
    case 'string':
      return x;
    case 'number':
    case 'bigint':
      return mkNumber(x);
  }
  if (Array.isArray(x)) return x.map(fromJson);
  if (x instanceof RObject || x instanceof RSet) return x;
  if (x instanceof Set) return new RSet([...x].map(fromJson));
  if (x instanceof Map) return new RObject([...x].map(([k, v]) => [fromJson(k), fromJson(v)] as const));
  const o = new RObject();
  for (const [k, v] of Object.entries(x as Record<string, unknown>)) o.set(k, fromJson(v));
  return o;
}

/**
 * Convert a Value to plain JSON data, as `policy eval` output does (src/policy/output.ts): sets →
 * sorted arrays, non-string object keys → their JSON text, integers within ±(2^53 − 1) → numbers,
 * integers beyond → `bigint` (exact; print with `formatJson` or src/policy/json-text.ts
 * `stringifyJson`, since `JSON.stringify` rejects bigint).
 */
export function toJson(v: Value): unknown {
  if (typeof v === 'bigint') return mkNumber(v);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(toJson);
  if (v instanceof RSet) return v.values().map(toJson);
  const out: Record<string, unknown> = {};
  for (const [k, val] of v.entries()) {
    const key = typeof k === 'string' ? k : formatJson(k);
    // defineProperty for "__proto__", which plain assignment would turn into a prototype change
    if (key === '__proto__') Object.defineProperty(out, key, { value: toJson(val), enumerable: true, writable: true, configurable: true });
    else out[key] = toJson(val);
  }
  return out;
}

/** Format a number as OPA prints it (exact for big integers). */
export function formatNumber(n: number | bigint): string {
  if (typeof n === 'bigint') return n.toString();
  if (!Number.isFinite(n)) return String(n);
  return JSON.stringify(n);
}

/** Exact JSON text of a Value (sets as sorted arrays, object keys sorted); `indent` pretty-prints. */
export function formatJson(v: Value, indent = '', depth = ''): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
    case 'bigint':
      return formatNumber(v);
    case 'string':
      return JSON.stringify(v);
  }
  const inner = depth + indent;
  const wrap = (items: string[], open: string, close: string): string => {
    if (items.length === 0) return open + close;
    if (!indent) return open + items.join(',') + close;
    return `${open}\n${items.map((x) => inner + x).join(',\n')}\n${depth}${close}`;
  };
  if (Array.isArray(v))
    return wrap(
      v.map((x) => formatJson(x, indent, inner)),
      '[',
      ']',
    );
  if (v instanceof RSet)
    return wrap(
      v.values().map((x) => formatJson(x, indent, inner)),
      '[',
      ']',
    );
  const sep = indent ? ': ' : ':';
  return wrap(
    v.entries().map(([k, x]) => (typeof k === 'string' ? JSON.stringify(k) : JSON.stringify(formatJson(k))) + sep + formatJson(x, indent, inner)),
    '{',
    '}',
  );
}

/** Rego source-like text of a value (used by print and sprintf %v): sets as {a, b}. */
export function formatRego(v: Value): string {
  if (v === null || typeof v !== 'object') return formatJson(v);
  if (Array.isArray(v)) return `[${v.map(formatRego).join(', ')}]`;
  if (v instanceof RSet) return v.size === 0 ? 'set()' : `{${v.values().map(formatRego).join(', ')}}`;
  return `{${v
    .entries()
    .map(([k, x]) => `${formatRego(k)}: ${formatRego(x)}`)
    .join(', ')}}`;
}
