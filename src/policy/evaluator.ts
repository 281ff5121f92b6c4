/**
 * One small seam for deciding: `PolicyEvaluator.evaluate(entrypoint, input)`, implemented by the Rego
 * interpreter and by compiled OPA Wasm bundles. A pack that ships a policy.wasm (or bundle.tar.gz) is
 * evaluated by Wasm; any other pack by the interpreter.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PolicyError } from './errors.js';
import { loadPolicyPaths } from './loader.js';
import { toPlainJson } from './output.js';
import { type CompiledPolicy, compile, evaluateRaw, listRules } from './rego/index.js';
import { fromJson, type Value } from './rego/value.js';

/** Decides one entrypoint at a time; the value is plain JSON data, `undefined` when undefined. */
export interface PolicyEvaluator {
  readonly engine: 'rego' | 'wasm';
  /** Entrypoints as slash paths below data, e.g. `quota/deny`. */
  entrypoints(): string[];
  /** `entrypoint` as `quota/deny` or `data.quota.deny`. */
  evaluate(entrypoint: string, input: unknown): unknown;
}

/**
 * `quota/deny` and `data.quota.deny` both become `["quota", "deny"]`.
 * @example entrypointPath('data.quota.deny') // ['quota', 'deny']
 */
export function entrypointPath(entrypoint: string): string[] {
  const trimmed = entrypoint.trim();
  const parts = trimmed.includes('/') ? trimmed.split('/') : trimmed.split('.');
  const keys = parts.filter((p) => p !== '');
  return keys[0] === 'data' ? keys.slice(1) : keys;
}

/** The Rego ref for a path: data.a.b, with brackets for keys that are not identifiers. */
export function dataRef(keys: readonly string[]): string {
  return `data${keys.map((k) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`)).join('')}`;
}

export interface RegoEvaluatorOptions {
  data?: Record<string, unknown>;
  strict?: boolean;
  /** time.now_ns() source (nanoseconds); default: wall clock per decision. */
  nowNs?: () => bigint;
}

/** The interpreter behind the seam: compiled once, one query per decision. */
export class RegoEvaluator implements PolicyEvaluator {
  readonly engine = 'rego' as const;
  private readonly queries = new Map<string, string>();
  /** The base document converted to interpreter values once, not per decision. */
  private readonly data: Value | undefined;

  constructor(
    private readonly policy: CompiledPolicy,
    private readonly opts: RegoEvaluatorOptions = {},
  ) {
    this.data = opts.data ? fromJson(opts.data) : undefined;
  }

  entrypoints(): string[] {
    const paths = new Set<string>();
    for (const r of listRules(this.policy)) {
      const full = r.path.endsWith(`.${r.name}`) ? r.path : `${r.path}.${r.name}`;
      paths.add(entrypointPath(full).join('/'));
    }
    return [...paths].sort();
  }

  evaluate(entrypoint: string, input: unknown): unknown {
    let query = this.queries.get(entrypoint);
    if (query === undefined) {
      query = dataRef(entrypointPath(entrypoint));
      this.queries.set(entrypoint, query);
    }
    const { raw } = evaluateRaw(this.policy, query, {
      input,
      ...(this.data !== undefined ? { data: this.data } : {}),
      strict: this.opts.strict === true,
      ...(this.opts.nowNs ? { nowNs: this.opts.nowNs() } : {}),
    });
    const value = raw[0]?.expressions[0];
    return value === undefined ? undefined : toPlainJson(value);
  }
}

/**
 * Compile .rego files and data (OPA loading rules) into an evaluator.
 * @example const ev = createRegoEvaluator(['policies/quota']); ev.evaluate('quota/deny', input)
 */
export function createRegoEvaluator(paths: readonly string[], opts: RegoEvaluatorOptions & { cwd?: string } = {}): RegoEvaluator {
  const loaded = loadPolicyPaths(paths, { cwd: opts.cwd });
  const policy = compile(loaded.modules, { strict: opts.strict === true });
  return new RegoEvaluator(policy, { ...opts, data: { ...loaded.data, ...(opts.data ?? {}) } });
}

/**
 * The evaluator for a pack directory: Wasm when it ships policy.wasm or bundle.tar.gz, else Rego.
 * @example const ev = await openPackEvaluator('policies/budget'); ev.engine // 'rego'
 */
export async function openPackEvaluator(dir: string, opts: RegoEvaluatorOptions & { cwd?: string } = {}): Promise<PolicyEvaluator> {
  const abs = resolve(opts.cwd ?? process.cwd(), dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) {
    throw new PolicyError('POLICY_PACK_NOT_FOUND', `policy pack ${dir} is not a directory`, { kind: 'not_found' });
  }
  for (const name of ['bundle.tar.gz', 'policy.wasm']) {
    if (existsSync(join(abs, name))) {
      const { loadWasmEvaluator } = await import('./wasm/wasm-evaluator.js');
      return loadWasmEvaluator(join(abs, name), opts.data ? { data: opts.data } : {});
    }
  }
  return createRegoEvaluator([abs], opts);
}
