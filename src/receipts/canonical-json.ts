/**
 * Canonical JSON for everything we generate and sign: object keys sorted by UTF-16 code units
 * (JSON.stringify order after sorting), no insignificant whitespace in the compact form, two-space
 * indentation plus a trailing newline in the file form. undefined members are dropped, like JSON.
 */

/** Recursively copy `value` with every object's keys sorted. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)));
  if (value !== null && typeof value === 'object') {
    const src = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(src).sort()) {
      const v = src[key];
      if (v !== undefined && typeof v !== 'function') out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** Compact canonical JSON (the signed DSSE payload form). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** Canonical JSON file text: sorted keys, two-space indentation, trailing newline. */
export function canonicalJsonFile(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}
