/**
 * Compiling and evaluating one pack: compiled packs are kept warm per process (or evaluation thread)
 * in a bounded LRU keyed by digest and signature (warm-cache.ts); each evaluation returns the deny and
 * warn messages with the rule definition (file:line) that produced each, and the rules that fired
 * (for --explain).
 */

import { stringifyJson } from '../json-text.js';
import { type CompiledPolicy, compile, evaluate, listRules } from '../rego/index.js';
import type { Pack } from './catalog.js';
import { DEFAULT_CACHE_MAX, LruCache, packCacheKey } from './warm-cache.js';

/** What compiling and evaluating needs of a pack (a Pack, or the copy an evaluation thread receives). */
export type EvalPack = Pick<Pack, 'meta' | 'digest' | 'modules'>;

/** A message from a pack and where it came from. */
export interface PackMessage {
  pack: string;
  rule: 'deny' | 'warn';
  message: string;
  /** "policies/budget/policy.rego:48" (null when unknown). */
  location: string | null;
}

/** A rule that produced a value during evaluation. */
export interface FiredRule {
  pack: string;
  rule: string;
  value: unknown;
  location: string;
}

export interface PackVerdict {
  deny: PackMessage[];
  warn: PackMessage[];
  fired: FiredRule[];
}

interface CompiledPack {
  policy: CompiledPolicy;
  hasWarn: boolean;
  hasDeny: boolean;
  /** Lines of each `deny contains` / `warn contains` definition in the pack's main module. */
  heads: { deny: number[]; warn: number[] };
  /** Display path of the pack's first module (locations when no explanation names one). */
  firstPath: string;
}

let cache = new LruCache<CompiledPack>(DEFAULT_CACHE_MAX);

/** Bound the compiled-pack cache (entries); existing entries are dropped. */
export function setPackCacheMax(max: number): void {
  if (max !== cache.max) cache = new LruCache<CompiledPack>(max);
}

/** Size, bound and evictions of this process's (or thread's) compiled-pack cache. */
export function packCacheInfo(): { size: number; max: number; evictions: number } {
  return { size: cache.size, max: cache.max, evictions: cache.evictions };
}

/** Compile a pack (kept in the warm cache under `key`, by default its digest). Throws RegoError on bad Rego. */
export function compilePack(pack: EvalPack, key = packCacheKey(pack.digest, null)): CompiledPack {
  return compileWarm(pack, key).compiled;
}

/** True when a pack compiled under `key` is in this process's (or thread's) warm cache. */
export function isPackWarm(key: string): boolean {
  return cache.has(key);
}

/**
 * Compile a pack through the warm cache; `hit` says whether it was compiled already.
 * @example compileWarm(pack, packCacheKey(pack.digest, signature)).hit
 */
export function compileWarm(pack: EvalPack, key: string): { compiled: CompiledPack; hit: boolean } {
  const hit = cache.get(key);
  if (hit) return { compiled: hit, hit: true };
  const compiled = compileFresh(pack);
  cache.set(key, compiled);
  warmUp(pack, compiled);
  return { compiled, hit: false };
}

function compileFresh(pack: EvalPack): CompiledPack {
  const policy = compile(pack.modules);
  const prefix = `data.${pack.meta.package}.`;
  const names = new Set(
    listRules(policy)
      .filter((r) => r.path.startsWith(prefix))
      .map((r) => r.path.slice(prefix.length)),
  );
  const main = pack.modules.find((m) => m.path.endsWith('/policy.rego'))?.text ?? '';
  const headLines = (rule: string): number[] => main.split('\n').flatMap((l, i) => (new RegExp(`^${rule}\\s+contains\\b`).test(l) ? [i + 1] : []));
  return {
    policy,
    hasWarn: names.has('warn'),
    hasDeny: names.has('deny'),
    heads: { deny: headLines('deny'), warn: headLines('warn') },
    firstPath: pack.modules[0]?.path ?? '',
  };
}

/** A representative input: evaluating it once at load moves the interpreter's JIT warm-up out of the timed window. */
const WARM_INPUT = {
  action: 'run',
  actor: { sub: 'warm-up', roles: ['viewer'], tenant: 'warm-up' },
  tenant: {
    id: 'warm-up',
    name: 'warm-up',
    quota: { maxConcurrent: 1, inUse: 1, active: ['ex_warm'] },
    budget: { dailyMaxUSD: 1, spentTodayUSD: 0.9 },
    requireSandbox: true,
  },
  request: { resourceClass: 'small', region: 'A' },
  plan: { estimatedCostUSD: 0.5 },
  workflow: { name: 'warm-up', region: 'B', tasks: [] },
  runner: { sandbox: 'none' },
};

function warmUp(pack: EvalPack, c: CompiledPack): void {
  try {
    evaluateOnce(pack, c, WARM_INPUT, {}, 1000, true);
  } catch {
    // A pack that fails here fails again, reported, when it is evaluated for real.
  }
}

/** Forget compiled packs (tests). */
export function clearPackCache(): void {
  cache.clear();
}

function asMessages(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map((v) => (typeof v === 'string' ? v : stringifyJson(v)));
}

/**
 * Values leave the pack room as plain JSON: integers beyond 2^53 (bigint from the evaluator) become
 * their exact decimal text, so decisions can be stored, printed and sent without losing digits.
 */
function jsonSafe(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x)]));
  return v;
}

/**
 * Evaluate a pack's deny and warn rules against an input. Throws on evaluation errors and limits.
 * Without `explain`, a pack whose rules fire is evaluated again with explanations (for locations),
 * so the common allow path stays cheap.
 * @example evaluatePack(pack, input, data, { timeoutMs: 100 }).deny[0]?.message
 */
export function evaluatePack(pack: EvalPack, input: unknown, data: unknown, opts: { timeoutMs: number; explain?: boolean; key?: string }): PackVerdict {
  const c = compilePack(pack, opts.key);
  const quick = evaluateOnce(pack, c, input, data, opts.timeoutMs, opts.explain ?? false);
  if (opts.explain || (quick.deny.length === 0 && quick.warn.length === 0)) return quick;
  return evaluateOnce(pack, c, input, data, opts.timeoutMs, true);
}

function evaluateOnce(pack: EvalPack, c: CompiledPack, input: unknown, data: unknown, timeoutMs: number, explain: boolean): PackVerdict {
  const out: PackVerdict = { deny: [], warn: [], fired: [] };
  const rules = (['deny', 'warn'] as const).filter((rule) => (rule === 'deny' ? c.hasDeny : c.hasWarn));
  if (rules.length === 0) return out;
  // One query for both rule sets (partial sets are always defined, empty when nothing fires).
  const query = `[${rules.map((rule) => `data.${pack.meta.package}.${rule}`).join(', ')}]`;
  const r = evaluate(c.policy, query, { input, data, timeoutMs, maxSteps: 1_000_000, explain });
  const values = (r.results[0]?.expressions[0]?.value ?? []) as unknown[];
  const entries = r.explanation?.entries ?? [];
  rules.forEach((rule, i) => {
    for (const message of asMessages(values[i])) {
      const entry = entries.find((e) => e.rule.endsWith(`.${rule}`) && (e.value === message || (Array.isArray(e.value) && e.value.includes(message))));
      const loc = entry ? `${entry.location.file}:${entry.location.row}` : c.heads[rule].length > 0 ? `${c.firstPath}:${c.heads[rule][0]}` : null;
      out[rule].push({ pack: pack.meta.id, rule, message, location: loc });
    }
  });
  for (const e of entries) {
    const location = `${e.location.file}:${e.location.row}`;
    if (!out.fired.some((f) => f.rule === e.rule && f.location === location))
      out.fired.push({ pack: pack.meta.id, rule: e.rule, value: jsonSafe(e.value), location });
  }
  return out;
}
