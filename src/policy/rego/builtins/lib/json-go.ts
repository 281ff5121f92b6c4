// JSON text as Go's encoding/json writes OPA values: sorted keys, HTML-safe escapes (\u003c \u003e
// \u0026 \u2028 \u2029), exact big integers, MarshalIndent layout with prefix and indent.
import { formatNumber, formatRego, RObject, RSet, type Value } from '../../value.js';

/** A value Go's encoder refuses (NaN, ±Inf). */
export class JsonMarshalError extends Error {}

/** Go's %v of a non-finite float: +Inf, -Inf, NaN. */
export const goFloat = (x: number): string => (Number.isNaN(x) ? 'NaN' : x > 0 ? '+Inf' : '-Inf');

const HTML_UNSAFE = /[<>&\u2028\u2029]/g;
const escapeHtml = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Go's quoted string. */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(HTML_UNSAFE, escapeHtml);
}

function scalar(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' && !Number.isFinite(v)) throw new JsonMarshalError(`json: unsupported value: ${goFloat(v)}`);
  return formatNumber(v as number | bigint);
}

// Object entries with keys as Go sees them after ast.JSON: strings as is, others as Rego text.
function objectEntries(o: RObject): Array<[string, Value]> {
  const out = o.entries().map(([k, v]): [string, Value] => [typeof k === 'string' ? k : formatRego(k), v]);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Compact JSON (Go's json.Marshal), or indented (json.MarshalIndent) when `indent` is given. */
export function marshalGo(v: Value, indent?: { prefix: string; indent: string }): string {
  return write(v, indent, '');
}

function write(v: Value, ind: { prefix: string; indent: string } | undefined, depth: string): string {
  if (v === null || typeof v !== 'object') return scalar(v);
  const items: string[] = [];
  let open = '[';
  let close = ']';
  const inner = ind ? depth + ind.indent : '';
  if (v instanceof RObject) {
    open = '{';
    close = '}';
    for (const [k, x] of objectEntries(v)) items.push(goQuote(k) + (ind ? ': ' : ':') + write(x, ind, inner));
  } else {
    for (const x of v instanceof RSet ? v.values() : v) items.push(write(x, ind, inner));
  }
  if (items.length === 0) return open + close;
  if (!ind) return open + items.join(',') + close;
  const nl = `\n${ind.prefix}`;
  return open + nl + inner + items.join(`,${nl}${inner}`) + nl + depth + close;
}

/** Plain data for YAML output: sets as arrays, objects as Maps with string keys (sorted). */
export function toPlain(v: Value): unknown {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new JsonMarshalError(`json: unsupported value: ${goFloat(v)}`);
    return v;
  }
  if (v instanceof RObject) return new Map(objectEntries(v).map(([k, x]) => [k, toPlain(x)]));
  return (v instanceof RSet ? v.values() : v).map(toPlain);
}
