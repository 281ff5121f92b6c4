/**
 * Front door of the Rego engine: parse, compile, evaluate (with explanations), list rules.
 * Other rooms import only this module.
 */
import type { Expr, Module } from './ast.js';
import './builtins/index.js';
import { type BuiltinContext, BuiltinError } from './builtins/registry.js';
import { type Compiled, compileModules, compileQuery } from './compiler/index.js';
import { groundPrefix } from './compiler/tree.js';
import { type Location, RegoError } from './errors.js';
import { Evaluator } from './eval/evaluator.js';
import { DEFAULT_MAX_BUILT, type EvalState, Frame, Limits } from './eval/state.js';
import { parseModuleText, parseQueryText } from './parser.js';
import { fromJson, RObject, toJson, type Value } from './value.js';

export type { Module } from './ast.js';
export { formatErrorItem, type Location, RegoError, type RegoErrorItem } from './errors.js';
export { formatJson, fromJson, toJson, type Value } from './value.js';

/** A Rego source file. `path` is used in error locations. */
export interface RegoModuleSource {
  path: string;
  text: string;
}

/** A compiled set of modules, ready to evaluate. */
export interface CompiledPolicy {
  readonly compiled: Compiled;
}

/**
 * Parse one module into its AST; throws RegoError (rego_parse_error) with a location.
 * @example parseModule({ path: 'quota.rego', text: 'package quota\nallow := true' }).package // ['quota']
 */
export function parseModule(src: RegoModuleSource, opts: ParseOptions = {}): Module {
  return parseModuleText(src.text, src.path, opts);
}

/**
 * How modules without `import rego.v1` are read. `v1: true` is OPA 1.x's default (v0 syntax such as
 * `p { ... }` is a parse error); otherwise they are read v0-compatibly, as `opa --v0-compatible`.
 */
export interface ParseOptions {
  v1?: boolean;
}

/**
 * Parse and compile modules; throws one RegoError listing every problem found.
 * @example const policy = compile([{ path: 'a.rego', text: 'package a\nallow if input.ok' }]);
 */
export function compile(modules: RegoModuleSource[], opts: { strict?: boolean } & ParseOptions = {}): CompiledPolicy {
  const parsed: Module[] = [];
  const errors: RegoError[] = [];
  for (const m of modules) {
    try {
      parsed.push(parseModule(m, { v1: opts.v1 }));
    } catch (e) {
      if (!(e instanceof RegoError)) throw e;
      errors.push(e);
    }
  }
  if (errors.length > 0) throw new RegoError(errors.flatMap((e) => e.errors));
  try {
    return { compiled: compileModules(parsed, opts.strict ?? false) };
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const file = modules[0]?.path ?? 'policy';
    throw new RegoError([{ code: 'rego_compile_error', message: `policy too deeply nested to compile: ${e.message}`, location: { file, row: 1, col: 1 } }]);
  }
}

/** Options of one evaluation. */
export interface EvalOptions {
  input?: unknown;
  data?: unknown;
  /** Raise builtin errors instead of making the expression undefined. */
  strict?: boolean;
  /** Default 10,000,000. */
  maxSteps?: number;
  /** Default 5000. */
  timeoutMs?: number;
  /**
   * Size limit: elements and characters that builtins (numbers.range, concat, sprintf widths...) and
   * comprehensions may build in one evaluation. Default 64,000,000. Crossing it is eval_limit_error.
   */
  maxBuilt?: number;
  explain?: boolean;
  /** Fixed clock for time.now_ns (nanoseconds since the epoch). */
  nowNs?: bigint;
  print?: (line: string) => void;
  /** Randomness for rand.intn and uuid.rfc4122 (defaults to a fixed seed). */
  random?: () => number;
  /** Coverage hook: called with the location of every expression evaluated and every rule head that produced a value. */
  coverage?: (loc: Location, kind?: 'index_excluded') => void;
}

export interface ExpressionResult {
  /**
   * Plain JSON form (`toJson`): sets → sorted arrays; integers beyond ±(2^53 − 1) are `bigint` so no
   * digit is lost (print with `formatJson`/`stringifyJson`, not `JSON.stringify`).
   */
  value: unknown;
  text: string;
  location: { row: number; col: number };
}

export interface QueryResult {
  expressions: ExpressionResult[];
  bindings: Record<string, unknown>;
}

export interface Explanation {
  entries: Array<{ rule: string; value: unknown; bindings: Record<string, unknown>; location: Location }>;
}

/** Raw (Value-level) results: exact numbers (bigint) and real sets, for exact JSON output via formatJson. */
export interface RawResult {
  expressions: Value[];
  bindings: Map<string, Value>;
}

/**
 * Evaluate a query such as `data.quota.deny` or `x := data.a[_]; x > 1`.
 * @example evaluate(policy, 'data.a.allow', { input: { ok: true } }).results[0]?.expressions[0]?.value // true
 */
export function evaluate(policy: CompiledPolicy, query: string, opts: EvalOptions = {}): { results: QueryResult[]; explanation?: Explanation } {
  const { raw, exprs, explain } = evaluateRaw(policy, query, opts);
  const results = raw.map((r) => ({
    expressions: r.expressions.map((v, i) => ({
      value: toJson(v),
      text: exprs[i]!.text ?? '',
      location: { row: exprs[i]!.loc.row, col: exprs[i]!.loc.col },
    })),
    bindings: Object.fromEntries([...r.bindings].map(([k, v]) => [k, toJson(v)])),
  }));
  if (!opts.explain) return { results };
  const entries = (explain ?? []).map((e) => ({
    rule: e.rule,
    value: toJson(e.value),
    bindings: Object.fromEntries(Object.entries(e.bindings).map(([k, v]) => [k, toJson(v)])),
    location: e.location,
  }));
  return { results, explanation: { entries } };
}

/**
 * Evaluate and keep engine values (exact big integers, sets); `prints` holds print() lines when
 * no print hook is given.
 * @example formatJson(evaluateRaw(policy, 'data.a.big').raw[0]!.expressions[0]!) // '1000000000000000000001'
 */
export function evaluateRaw(policy: CompiledPolicy, query: string, opts: EvalOptions = {}) {
  const { original, body, userVars, compiledOf } = preparedQuery(policy, query);
  const printLines: string[] = [];
  const cache = new Map<string, Value>();
  const now = opts.nowNs ?? BigInt(Date.now()) * 1_000_000n;
  const limits = new Limits(opts.maxSteps ?? 10_000_000, Date.now() + (opts.timeoutMs ?? 5000), opts.maxBuilt ?? DEFAULT_MAX_BUILT);
  const bctx: BuiltinContext = {
    now: () => now,
    print: opts.print ?? ((l) => printLines.push(l)),
    strict: opts.strict ?? policy.compiled.strict,
    random: opts.random ?? seeded(42),
    cache,
    budget: (units, what) => {
      const crossed = limits.build(units, what);
      if (crossed) throw new BuiltinError(crossed, 'limit');
    },
  };
  const data = fromJson(opts.data ?? {});
  const state: EvalState = {
    input: opts.input === undefined ? undefined : fromJson(opts.input),
    data: data instanceof RObject ? data : new RObject(),
    masked: undefined,
    fnOverrides: undefined,
    cache: new Map(),
    fnCache: new Map(),
  };
  const ev = new Evaluator(policy.compiled, state, bctx, limits, opts.explain ?? false);
  if (opts.coverage) ev.cover = opts.coverage;
  const raw: RawResult[] = [];
  const top = new Frame();
  try {
    ev.evalBody(top, body, 0, () => {
      const bindings = new Map<string, Value>();
      for (const [k, v] of top.vars) if (userVars.has(k)) bindings.set(k, v);
      raw.push({
        expressions: compiledOf.map((c) => (ev.exprValues.has(c) ? ev.exprValues.get(c)! : true)),
        bindings,
      });
      return false;
    });
  } catch (e) {
    if (e instanceof RangeError) throw new RegoError([{ code: 'eval_limit_error', message: `evaluation exceeded the stack depth: ${e.message}` }]);
    throw e;
  }
  return { raw, exprs: original, explain: ev.explain, prints: printLines };
}

/** Convenience: the value of the single expression of the first result, or undefined. */
export function evaluateValue(policy: CompiledPolicy, query: string, opts: EvalOptions = {}): unknown | undefined {
  const r = evaluate(policy, query, opts).results[0];
  return r?.expressions[0]?.value;
}

/** Every rule of the policy: data path, name and location (for `policy test`). */
export function listRules(policy: CompiledPolicy): Array<{ path: string; name: string; location: Location }> {
  const seen = new Set<string>();
  const out: Array<{ path: string; name: string; location: Location }> = [];
  for (const r of policy.compiled.rules) {
    const path = groundPrefix(r.ref).join('.');
    if (seen.has(path)) continue;
    seen.add(path);
    out.push({ path, name: path.split('.').pop()!, location: r.loc });
  }
  return out;
}

// ---------- helpers ----------

/** A query parsed and compiled once for a policy: the written expressions, the compiled body, user variables. */
interface PreparedQuery {
  original: Expr[];
  body: Expr[];
  userVars: Set<string>;
  /** The compiled expression of each written one (its value is the result's expression value). */
  compiledOf: Expr[];
}

/** Prepared queries per policy (at most QUERY_CACHE_SIZE texts each, oldest dropped first). */
const queryCache = new WeakMap<CompiledPolicy, Map<string, PreparedQuery>>();
const QUERY_CACHE_SIZE = 64;

// Parse and compile a query, or reuse the earlier compilation of the same text for this policy.
function preparedQuery(policy: CompiledPolicy, query: string): PreparedQuery {
  let perPolicy = queryCache.get(policy);
  if (!perPolicy) {
    perPolicy = new Map();
    queryCache.set(policy, perPolicy);
  }
  const hit = perPolicy.get(query);
  if (hit) return hit;
  const original = parseQueryText(query, 'query');
  const body = compileQuery(policy.compiled, original);
  if (body.length === 1 && body[0]!.kind === 'term' && !body[0]!.negated) body[0]!.capture = true;
  const userVars = new Set<string>();
  for (const e of original) collectUserVars(e, userVars);
  if (perPolicy.size >= QUERY_CACHE_SIZE) perPolicy.delete(perPolicy.keys().next().value!);
  const prepared = { original, body, userVars, compiledOf: original.map((e) => findCompiled(body, e)) };
  perPolicy.set(query, prepared);
  return prepared;
}
function findCompiled(body: Expr[], original: Expr): Expr {
  return body.find((e) => e.loc === original.loc && e.text === original.text) ?? original;
}

function collectUserVars(e: Expr, out: Set<string>): void {
  const visit = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) {
      x.forEach(visit);
      return;
    }
    const o = x as Record<string, unknown>;
    if (o.type === 'var' && !o.generated && typeof o.name === 'string' && !['data', 'input'].includes(o.name)) out.add(o.name);
    if (o.type === 'arraycompr' || o.type === 'setcompr' || o.type === 'objectcompr') return;
    for (const [k, v] of Object.entries(o)) if (k !== 'loc') visit(v);
  };
  visit(e);
}

/** Small deterministic PRNG (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
