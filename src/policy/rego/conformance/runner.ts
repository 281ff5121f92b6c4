/** Conformance runner core: run one case, judge it, and total the results per folder. */
import { compile, evaluateRaw, RegoError } from '../index.js';
import { compareValues, formatJson, RObject, type Value, valueEquals } from '../value.js';
import { type ConformanceCase, decodeExpected, many, UNDEFINED } from './cases.js';
import { errorMatches } from './classify.js';

export interface CaseOutcome {
  c: ConformanceCase;
  kind: 'result' | 'error';
  status: 'pass' | 'fail' | 'skip';
  reason?: string;
}

export interface SkipEntry {
  file: string;
  note: string;
  reason: string;
}

/** Run one case and judge it. */
export function runCase(c: ConformanceCase, skips: SkipEntry[] = []): CaseOutcome {
  const kind = c.error !== undefined ? 'error' : 'result';
  if (c.skip) return { c, kind, status: 'skip', reason: 'skipped by the reference (skip: true)' };
  const s = skips.find((x) => x.file === c.file && x.note === c.note);
  if (s) return { c, kind, status: 'skip', reason: s.reason };
  try {
    const got = execute(c);
    if (kind === 'error') return { c, kind, status: 'fail', reason: `expected an error (${c.error}) but evaluation succeeded with ${show(got.values)}` };
    return judgeResult(c, got);
  } catch (e) {
    const err = e instanceof RegoError ? e : undefined;
    const text = err ? err.message : `${(e as Error)?.name}: ${(e as Error)?.message}\n${((e as Error)?.stack ?? '').split('\n').slice(1, 4).join('\n')}`;
    if (kind === 'result' || !err) return { c, kind, status: 'fail', reason: `unexpected error: ${text}` };
    const verdict = errorMatches(c.error!, err);
    return verdict.ok
      ? { c, kind, status: 'pass' }
      : { c, kind, status: 'fail', reason: `wrong error: expected ${JSON.stringify(c.error)} (${verdict.category}); got ${text}` };
  }
}

interface Executed {
  values: Value[];
  prints: string[];
}

function execute(c: ConformanceCase): Executed {
  const policy = compile(c.modules.map((text, i) => ({ path: `rego_${i}`, text })));
  const inputs = c.input === undefined ? [undefined] : many(c.input).items;
  const values: Value[] = [];
  const prints: string[] = [];
  for (const input of inputs) {
    const { raw } = evaluateRaw(policy, c.query, {
      input,
      data: c.data ?? {},
      strict: c.strict ?? true,
      nowNs: 1_700_000_000_000_000_000n,
      print: (l) => prints.push(l),
      timeoutMs: 20_000,
    });
    if (raw.length === 1) {
      const r = raw[0]!;
      if (r.bindings.size > 0) values.push(bindingsObject(r.bindings, c));
      else values.push(...r.expressions);
    } else {
      for (const r of raw) values.push(r.bindings.size > 0 ? bindingsObject(r.bindings, c) : r.expressions);
    }
  }
  return { values, prints };
}

function bindingsObject(b: Map<string, Value>, c: ConformanceCase): Value {
  const o = new RObject();
  for (const [k, v] of b) o.set(k, c.sortBindings && Array.isArray(v) ? [...v].sort(compareValues) : v);
  return o;
}

function judgeResult(c: ConformanceCase, got: Executed): CaseOutcome {
  if (c.wantPrints) {
    const want = c.wantPrints.join('\n');
    const have = got.prints.join('\n');
    if (want !== have) return { c, kind: 'result', status: 'fail', reason: `prints differ:\nwant:\n${want}\nhave:\n${have}` };
  }
  if (c.noResult) {
    return got.values.length === 0
      ? { c, kind: 'result', status: 'pass' }
      : { c, kind: 'result', status: 'fail', reason: `expected no result, got ${show(got.values)}` };
  }
  const { items } = many(c.wantResult);
  const want: Value[] = [];
  for (const item of items) {
    const d = decodeExpected(item);
    if (d !== UNDEFINED) want.push(sortIf(d, c));
  }
  const have = got.values.map((v) => sortIf(v, c));
  if (sameList(have, want)) return { c, kind: 'result', status: 'pass' };
  return { c, kind: 'result', status: 'fail', reason: `result differs:\nwant: ${show(want)}\nhave: ${show(have)}` };
}

function sortIf(v: Value, c: ConformanceCase): Value {
  if (!c.sortBindings) return v;
  if (Array.isArray(v)) return [...v].sort(compareValues);
  if (v instanceof RObject) return new RObject(v.entries().map(([k, x]) => [k, Array.isArray(x) ? [...x].sort(compareValues) : x] as [Value, Value]));
  return v;
}

function sameList(a: Value[], b: Value[]): boolean {
  if (a.length === b.length && a.every((x, i) => valueEquals(x, b[i]!))) return true;
  // a single array-valued expected result may be written as the list itself
  return b.length === 1 && a.length !== 1 && Array.isArray(b[0]) && valueEquals(a, b[0]!);
}

function show(vs: Value[]): string {
  const s = vs.map((v) => formatJson(v)).join(', ');
  return s.length > 600 ? `${s.slice(0, 600)}…` : s;
}

export interface FolderTotals {
  folder: string;
  result: { passed: number; failed: number; skipped: number };
  error: { passed: number; failed: number; skipped: number };
}

/** Totals per folder and overall. */
export function summarize(outcomes: CaseOutcome[]): { folders: FolderTotals[]; total: FolderTotals } {
  const map = new Map<string, FolderTotals>();
  const blank = (folder: string): FolderTotals => ({ folder, result: { passed: 0, failed: 0, skipped: 0 }, error: { passed: 0, failed: 0, skipped: 0 } });
  const total = blank('overall');
  for (const o of outcomes) {
    const f = map.get(o.c.folder) ?? blank(o.c.folder);
    map.set(o.c.folder, f);
    for (const t of [f, total]) {
      const bucket = t[o.kind];
      if (o.status === 'pass') bucket.passed++;
      else if (o.status === 'fail') bucket.failed++;
      else bucket.skipped++;
    }
  }
  return { folders: [...map.values()].sort((a, b) => (a.folder < b.folder ? -1 : 1)), total };
}

/** Stable id of a case: `file :: note` (` #n` for a repeated note); the pass list uses it. */
export function caseId(c: ConformanceCase): string {
  return c.id;
}
