/**
 * YAML data files: parsed with the `yaml` package (YAML 1.2 core schema, unique keys), integers beyond
 * 2^53 kept exact as bigint, syntax errors reported as `file:line:col`.
 */
import { parseDocument } from 'yaml';
import { PolicyError } from './errors.js';

/**
 * Parse YAML text into plain data.
 * @example parseYamlText('limits:\n  cpu: 4\n', 'limits.yaml') // { limits: { cpu: 4 } }
 */
export function parseYamlText(text: string, file: string): unknown {
  const doc = parseDocument(text, { intAsBigInt: true, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    const row = pos?.line ?? 1;
    const col = pos?.col ?? 1;
    const message = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new PolicyError('POLICY_DATA_SYNTAX', `invalid YAML: ${message}`, {
      kind: 'usage',
      location: { file, row, col },
    });
  }
  return normalise(doc.toJS({ maxAliasCount: 10_000 }));
}

// bigint back to number where exact; Maps with non-string keys are not valid data.
function normalise(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (Array.isArray(v)) return v.map(normalise);
  if (v instanceof Date) return v.toISOString();
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: normalise(x), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}
