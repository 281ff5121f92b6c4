/**
 * First pass: JSON Schema validation (ajv, all errors), each error turned into a located, human
 * diagnostic. The validator is ajv's standalone output, generated from schema.ts and loaded on first use.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { DiagnosticSink } from './diagnostics.js';
import type { PathSegment } from './parse.js';
import { didYouMean } from './suggest.js';

interface Validator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

let loaded: Promise<Validator> | undefined;

// The schema compiled ahead of time by ajv (see generate-validator.ts): no ajv compile at run time.
async function validator(): Promise<Validator> {
  loaded ??= import('./schema-validator.generated.js').then((m) => m.default as Validator);
  return loaded;
}

/** Validate `data` against the Manifest v1 schema, reporting every error into `sink`. */
export async function checkSchema(data: unknown, sink: DiagnosticSink): Promise<void> {
  const validate = await validator();
  if (validate(data)) return;
  for (const err of validate.errors ?? []) reportError(err, sink);
}

function pointerToPath(pointer: string, root: unknown): PathSegment[] {
  if (pointer === '') return [];
  const out: PathSegment[] = [];
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const key: PathSegment = Array.isArray(node) && /^\d+$/.test(seg) ? Number(seg) : seg;
    out.push(key);
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[String(key)] : undefined;
  }
  return out;
}

// One ajv error → one diagnostic (or none for keywords whose inner error already says it all).
function reportError(err: ErrorObject, sink: DiagnosticSink): void {
  const path = pointerToPath(err.instancePath, sink.parsed.data);
  const p = err.params as Record<string, unknown>;
  const got = describe(err.data);
  switch (err.keyword) {
    case 'additionalProperties': {
      const name = String(p.additionalProperty);
      const known = Object.keys((err.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
      sink.add([...path, name], `unknown field "${name}"${didYouMean(name, known)}`, 'UNKNOWN_FIELD', { key: true });
      return;
    }
    case 'required':
      sink.add([...path, String(p.missingProperty)], 'is required', 'REQUIRED', { at: path });
      return;
    case 'type':
      sink.add(path, `must be ${typeName(String(p.type))} (got ${got})`, 'TYPE');
      return;
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map(String);
      const hint = typeof err.data === 'string' ? didYouMean(err.data, allowed) : '';
      const what = allowed.length === 1 ? `must be "${allowed[0]}"` : `must be one of ${allowed.join(', ')}`;
      sink.add(path, `${what} (got ${got})${hint}`, 'ENUM');
      return;
    }
    case 'const':
      sink.add(path, `must be ${JSON.stringify(p.allowedValue)} (got ${got})`, 'CONST');
      return;
    case 'pattern':
      reportPattern(err, path, sink);
      return;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      sink.add(path, `must be ${RANGE_WORDS[err.keyword]} ${String(p.limit)} (got ${got})`, 'RANGE');
      return;
    case 'minLength':
      sink.add(path, p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters long`, 'LENGTH');
      return;
    case 'maxLength':
      sink.add(path, `must be at most ${String(p.limit)} characters long (got ${String((err.data as string).length)})`, 'LENGTH');
      return;
    case 'minItems':
    case 'maxItems':
      reportItems(err, path, sink);
      return;
    case 'propertyNames': // its inner pattern error carries the property name
    case 'uniqueItems': // duplicate needs are reported one by one by the semantic pass
      return;
    default:
      sink.add(path, err.message ?? `fails ${err.keyword}`, 'TYPE');
  }
}

const RANGE_WORDS: Record<string, string> = {
  minimum: 'at least',
  maximum: 'at most',
  exclusiveMinimum: 'greater than',
  exclusiveMaximum: 'less than',
};

function reportPattern(err: ErrorObject, path: PathSegment[], sink: DiagnosticSink): void {
  const text = (err.parentSchema?.['x-message'] as string | undefined) ?? `must match ${String(err.params.pattern)}`;
  if (err.propertyName !== undefined) {
    const name = err.propertyName;
    sink.add([...path, name], `${JSON.stringify(name)} ${text}`, 'PATTERN', { key: true });
  } else {
    sink.add(path, `${describe(err.data)} ${text}`, 'PATTERN');
  }
}

function reportItems(err: ErrorObject, path: PathSegment[], sink: DiagnosticSink): void {
  const limit = Number(err.params.limit);
  const count = Array.isArray(err.data) ? err.data.length : 0;
  const noun = path[path.length - 1] === 'tasks' ? 'task' : 'item';
  const bound = err.keyword === 'minItems' ? 'at least' : 'at most';
  sink.add(path, `must have ${bound} ${limit} ${noun}${limit === 1 ? '' : 's'} (got ${count})`, 'ITEMS');
}

function typeName(t: string): string {
  return (
    { object: 'a mapping', array: 'a list', string: 'a string', integer: 'an integer', number: 'a number', boolean: 'true or false', null: 'null' }[t] ?? t
  );
}

/** A short rendering of a value for messages: "abc", 12, null, a mapping, a list. */
export function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  return String(v);
}
