/** Conformance cases: loading the YAML files and decoding the expected-value encodings. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { fromJson, RObject, RSet, type Value } from '../value.js';

export interface ConformanceCase {
  /** Path of the YAML file relative to the root (e.g. builtins/strings/sprintf.yaml). */
  file: string;
  /** Folder used for per-folder totals (e.g. builtins/strings). */
  folder: string;
  note: string;
  /** `file :: note`, with ` #2`, ` #3`... for a note repeated in the same file. */
  id: string;
  modules: string[];
  data?: unknown;
  input?: unknown;
  query: string;
  wantResult?: unknown;
  noResult?: boolean;
  error?: string;
  skip?: boolean;
  sortBindings?: boolean;
  strict?: boolean;
  wantPrints?: string[];
}

/** Every YAML file under root, sorted. */
export function listCaseFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.yaml') || name.endsWith('.yml')) out.push(p);
    }
  };
  walk(root);
  return out;
}

/** Join under-indented multi-line flow sequences (`key: [` ... `]`) into one line. */
export function lenientYaml(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/:\s*\[\s*$/.test(line)) {
      let joined = line.trimEnd();
      while (i + 1 < lines.length && !/^\s*\]/.test(lines[i + 1]!)) joined += ` ${lines[++i]!.trim()}`;
      if (i + 1 < lines.length) joined += ` ${lines[++i]!.trim()}`;
      out.push(joined);
    } else out.push(line);
  }
  return out.join('\n');
}

function parseYaml(text: string): unknown {
  let raw: unknown;
  try {
    raw = parse(text, { intAsBigInt: true, mapAsMap: true });
  } catch {
    raw = parseDocument(lenientYaml(text), { intAsBigInt: true }).toJS({ mapAsMap: true });
  }
  return plain(raw);
}

/** Maps with only string keys → plain objects; other maps (typed keys in expected values) stay Maps. */
function plain(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(plain);
  if (x instanceof Map) {
    const entries = [...x].map(([k, v]) => [k, plain(v)] as const);
    if (entries.every(([k]) => typeof k === 'string')) return Object.fromEntries(entries);
    return new Map(entries);
  }
  return x;
}

/** JSON documents (data, input): map keys become strings. */
export function jsonDoc(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(jsonDoc);
  if (x instanceof Map) return Object.fromEntries([...x].map(([k, v]) => [k === null ? 'null' : String(k), jsonDoc(v)]));
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, jsonDoc(v)]));
  return x;
}

/** Load all cases under root. */
export function loadCases(root: string): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const path of listCaseFiles(root)) {
    const file = relative(root, path).split('\\').join('/');
    const folder = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '.';
    const doc = parseYaml(readFileSync(path, 'utf8')) as { cases?: Array<Record<string, unknown>> } | null;
    const seen = new Map<string, number>();
    for (const c of doc?.cases ?? []) {
      const note = String(c.note ?? '');
      const n = (seen.get(note) ?? 0) + 1;
      seen.set(note, n);
      cases.push({
        file,
        folder,
        note,
        id: `${file} :: ${note}${n > 1 ? ` #${n}` : ''}`,
        modules: ((c.modules as unknown[]) ?? []).map(String),
        data: jsonDoc(c.data),
        input: jsonDoc(c.input),
        query: String(c.query ?? ''),
        wantResult: c.want_result,
        noResult: c.no_result === true,
        error: c.error === undefined ? undefined : String(c.error),
        skip: c.skip === true,
        sortBindings: c.sort_bindings === true,
        strict: c.strict === undefined ? undefined : c.strict === true,
        wantPrints: c.want_prints as string[] | undefined,
      });
    }
  }
  return cases;
}

/** Marker for "#undefined" expected values. */
export const UNDEFINED = Symbol('undefined');

/** Decode expected values: {set!: [...]}, {object!: [{key, value}]}, "#undefined". */
export function decodeExpected(x: unknown): Value | typeof UNDEFINED {
  if (x === '#undefined') return UNDEFINED;
  if (Array.isArray(x)) return x.map((e) => orNull(decodeExpected(e)));
  if (x instanceof Map) {
    const obj = new RObject();
    for (const [k, v] of x) {
      const d = decodeExpected(v);
      if (d !== UNDEFINED) obj.set(orNull(decodeExpected(k)), d);
    }
    return obj;
  }
  if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === 'set!' && Array.isArray(o['set!'])) {
      return new RSet((o['set!'] as unknown[]).map((e) => orNull(decodeExpected(e))));
    }
    if (keys.length === 1 && keys[0] === 'object!' && Array.isArray(o['object!'])) {
      const obj = new RObject();
      for (const item of o['object!'] as Array<Record<string, unknown>>) obj.set(orNull(decodeExpected(item.key)), orNull(decodeExpected(item.value)));
      return obj;
    }
    const obj = new RObject();
    for (const [k, v] of Object.entries(o)) {
      const d = decodeExpected(v);
      if (d !== UNDEFINED) obj.set(k, d);
    }
    return obj;
  }
  return fromJson(x);
}

function orNull(v: Value | typeof UNDEFINED): Value {
  return v === UNDEFINED ? null : v;
}

/** Split a `{many!: [...]}` encoding into its items; other values are a single item. */
export function many(x: unknown): { items: unknown[]; isMany: boolean } {
  if (x && typeof x === 'object' && !Array.isArray(x) && Array.isArray((x as Record<string, unknown>)['many!'])) {
    return { items: (x as Record<string, unknown[]>)['many!']!, isMany: true };
  }
  return { items: [x], isMany: false };
}

/**
 * The shared conformance folder: $REGO_CONFORMANCE_ROOT, else the nearest `shared/conformance/rego`
 * beside an ancestor of `start` (the repository lives in /work/main or in a worktree below /work).
 */
export function findConformanceRoot(start: string): string {
  const env = process.env.REGO_CONFORMANCE_ROOT;
  if (env) return env;
  for (let d = start; d !== dirname(d); d = dirname(d)) {
    const p = join(d, 'shared/conformance/rego');
    if (existsSync(p)) return p;
  }
  return join(start, '../shared/conformance/rego');
}
