/**
 * Differential testing against the real OPA: one item is modules + data + input + query; both
 * engines answer it and the answers are compared (values exactly, errors by presence and code).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, evaluateRaw, formatJson, RegoError } from '../../../../src/policy/rego/index.js';

export interface DiffItem {
  /** Stable id, used by the known-differences list. */
  id: string;
  modules: Array<{ path: string; text: string }>;
  data?: unknown;
  input?: unknown;
  query: string;
  strict?: boolean;
}

/** One engine's answer: every result's first expression value, or the first error code. */
export type Answer = { values: unknown[] } | { error: string; message: string };

/** Maestro's answer (in-process). */
export function maestroAnswer(item: DiffItem): Answer {
  try {
    const policy = compile(item.modules);
    const { raw } = evaluateRaw(policy, item.query, {
      data: item.data ?? {},
      input: item.input,
      strict: item.strict === true,
      nowNs: 1_700_000_000_000_000_000n,
    });
    return { values: raw.map((r) => JSON.parse(formatJson(r.expressions[0]!)) as unknown) };
  } catch (e) {
    if (e instanceof RegoError) return { error: e.errors[0]!.code, message: e.errors[0]!.message };
    throw e;
  }
}

/** OPA's answer: `opa eval --format json` in a temp dir (async, so callers can run a few at once). */
export async function opaAnswer(bin: string, item: DiffItem, extra: string[] = []): Promise<Answer> {
  const dir = mkdtempSync(join(tmpdir(), 'opa-diff-'));
  try {
    const args = ['eval', '--format', 'json', ...(item.strict ? ['--strict-builtin-errors'] : []), ...extra];
    item.modules.forEach((m, i) => {
      const file = join(dir, `m${i}.rego`);
      writeFileSync(file, m.text);
      args.push('-d', file);
    });
    if (item.data !== undefined && Object.keys(item.data as object).length > 0) {
      writeFileSync(join(dir, 'data.json'), jsonText(item.data));
      args.push('-d', join(dir, 'data.json'));
    }
    if (item.input !== undefined) {
      writeFileSync(join(dir, 'input.json'), jsonText(item.input));
      args.push('-i', join(dir, 'input.json'));
    }
    args.push(item.query);
    const stdout = await run(bin, args, dir);
    const out = JSON.parse(stdout) as { result?: Array<{ expressions: Array<{ value: unknown }> }>; errors?: Array<{ code: string; message: string }> };
    if (out.errors?.length) return { error: out.errors[0]!.code, message: out.errors[0]!.message };
    return { values: (out.result ?? []).map((r) => r.expressions[0]!.value) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** JSON text keeping big integers (bigint) exact. */
export function jsonText(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? `\u0000big:${v}` : v)).replace(/"\\u0000big:(-?\d+)"/g, '$1');
}

function run(bin: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', () => {
      clearTimeout(timer);
      // a crash of opa itself (a Go panic) is an answer too: it can only be a documented difference
      if (out.trim().startsWith('{')) resolve(out);
      else resolve(JSON.stringify({ errors: [{ code: 'opa_crash', message: (err.trim() || out.trim()).split('\n')[0]!.slice(0, 300) }] }));
    });
  });
}

/**
 * Compare two answers; undefined when they agree. Errors agree when both failed with the same
 * code; values must be equal as JSON (numbers by value).
 */
export function difference(ours: Answer, theirs: Answer): string | undefined {
  if ('error' in ours || 'error' in theirs) {
    if ('error' in ours && 'error' in theirs)
      return ours.error === theirs.error ? undefined : `error codes differ: maestro ${ours.error} (${ours.message}), opa ${theirs.error} (${theirs.message})`;
    return `maestro ${show(ours)}; opa ${show(theirs)}`;
  }
  const a = canonical(ours.values);
  const b = canonical(theirs.values);
  return a === b ? undefined : `maestro ${a.slice(0, 600)}; opa ${b.slice(0, 600)}`;
}

function show(a: Answer): string {
  return 'error' in a ? `error ${a.error}: ${a.message}` : `values ${canonical(a.values).slice(0, 600)}`;
}

/** JSON with sorted keys and numbers printed by value (1e3 and 1000 alike). */
export function canonical(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonical).join(',')}]`;
  if (x !== null && typeof x === 'object') {
    return `{${Object.keys(x)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((x as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  if (typeof x === 'number') return Number.isInteger(x) && Math.abs(x) < 1e21 ? BigInt(x).toString() : String(x);
  return JSON.stringify(x);
}

/** A short repro a human can paste: the modules, data, input and query. */
export function repro(item: DiffItem): string {
  const parts = item.modules.map((m) => `# ${m.path}\n${m.text.trimEnd()}`);
  if (item.data !== undefined) parts.push(`# data.json\n${jsonText(item.data)}`);
  if (item.input !== undefined) parts.push(`# input.json\n${jsonText(item.input)}`);
  parts.push(`# query: ${item.query}${item.strict ? ' (strict builtin errors)' : ''}`);
  return parts.join('\n');
}

/** Run `f` over items with at most `n` at a time. */
export async function pool<T, R>(items: T[], n: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}
