/**
 * Compiled OPA Wasm policies behind the PolicyEvaluator seam, via @open-policy-agent/opa-wasm.
 * Accepts a bundle (`opa build -t wasm`: bundle.tar.gz holding /policy.wasm and /data.json), a
 * policy.wasm file, or a directory holding either.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { PolicyError } from '../errors.js';
import { entrypointPath, type PolicyEvaluator } from '../evaluator.js';
import { stringifyJson } from '../json-text.js';
import { parseDataFile } from '../loader.js';
import { mergeData } from '../merge.js';
import { readTarFiles } from './tar.js';

/** What the Wasm SDK's LoadedPolicy offers (the parts used here). */
interface OpaWasmPolicy {
  entrypoints: Record<string, number>;
  evaluate(input: unknown, entrypoint?: number | string): Array<{ result: unknown }> | null;
  setData(data: object | ArrayBuffer): void;
}

/** A policy.wasm plus the data document found beside it. */
export interface WasmBundle {
  wasm: Buffer;
  data: Record<string, unknown>;
  source: string;
}

/**
 * Read a bundle.tar.gz, a policy.wasm, or a directory holding one of them.
 * @example const b = readWasmBundle('policies/quota/bundle.tar.gz'); b.wasm.length > 0
 */
export function readWasmBundle(path: string): WasmBundle {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new PolicyError('POLICY_BUNDLE_NOT_FOUND', `${path}: no such file or directory`, { kind: 'not_found' });
  if (statSync(abs).isDirectory()) {
    for (const name of ['bundle.tar.gz', 'policy.wasm']) if (existsSync(join(abs, name))) return readWasmBundle(join(path, name));
    throw new PolicyError('POLICY_BUNDLE_NOT_FOUND', `${path}: holds neither bundle.tar.gz nor policy.wasm`, { kind: 'not_found' });
  }
  if (abs.endsWith('.wasm')) return { wasm: readFileSync(abs), data: siblingData(abs), source: path };
  const files = readTarFiles(readFileSync(abs), path);
  const wasm = files.get('policy.wasm');
  if (!wasm)
    throw new PolicyError('POLICY_BUNDLE_INVALID', `${path}: the bundle holds no /policy.wasm`, {
      kind: 'usage',
      hint: 'build it with `opa build -t wasm -e <entrypoint> ...`',
    });
  const data: Record<string, unknown> = {};
  const owners = new Map<string, string>();
  for (const [name, bytes] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const base = basename(name);
    if (base !== 'data.json' && base !== 'data.yaml' && base !== 'data.yml') continue;
    const keys = dirname(name)
      .split('/')
      .filter((k) => k !== '' && k !== '.');
    mergeData(data, keys, parseDataFile(`${path}:/${name}`, bytes.toString('utf8')), `${path}:/${name}`, owners);
  }
  return { wasm, data, source: path };
}

function siblingData(wasmPath: string): Record<string, unknown> {
  const p = join(dirname(wasmPath), 'data.json');
  if (!existsSync(p)) return {};
  const v = parseDataFile(p, readFileSync(p, 'utf8'));
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** A loaded Wasm policy: one instance, data set once, many decisions. */
export class WasmEvaluator implements PolicyEvaluator {
  readonly engine = 'wasm' as const;

  constructor(
    private readonly policy: OpaWasmPolicy,
    private readonly source: string,
  ) {}

  entrypoints(): string[] {
    return Object.keys(this.policy.entrypoints).sort();
  }

  evaluate(entrypoint: string, input: unknown): unknown {
    const name = entrypointPath(entrypoint).join('/');
    if (!Object.hasOwn(this.policy.entrypoints, name)) {
      throw new PolicyError('POLICY_UNKNOWN_ENTRYPOINT', `${this.source}: no entrypoint ${name} (it has: ${this.entrypoints().join(', ') || 'none'})`, {
        kind: 'usage',
        hint: 'rebuild the bundle with `opa build -t wasm -e <entrypoint>` for each decision you need',
      });
    }
    let rs: Array<{ result: unknown }> | null;
    try {
      rs = this.policy.evaluate(toJsonBuffer(input), name);
    } catch (err) {
      throw new PolicyError('POLICY_WASM_EVAL_ERROR', `${this.source}: evaluating ${name} failed: ${describe(err)}`, { cause: err });
    }
    if (rs === null) throw new PolicyError('POLICY_WASM_EVAL_ERROR', `${this.source}: evaluating ${name} returned no result set`);
    return rs.length === 0 ? undefined : rs[0]!.result;
  }
}

// JSON text as an exact ArrayBuffer (bigints printed exactly; the SDK would JSON.stringify otherwise).
function toJsonBuffer(value: unknown): ArrayBuffer | undefined {
  if (value === undefined) return undefined;
  const bytes = new TextEncoder().encode(stringifyJson(value));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Load a Wasm policy (bundle, policy.wasm or directory) into an evaluator; `data` overrides the
 * bundle's own data document at the top level.
 * @example const ev = await loadWasmEvaluator('bundle.tar.gz'); ev.evaluate('example/allow', { user: 'ann' })
 */
export async function loadWasmEvaluator(path: string, opts: { data?: Record<string, unknown> } = {}): Promise<WasmEvaluator> {
  const bundle = readWasmBundle(path);
  const module = compileOpaModule(bundle.wasm, path);
  const { loadPolicy } = await import('@open-policy-agent/opa-wasm');
  let policy: OpaWasmPolicy;
  try {
    policy = (await loadPolicy(module as Parameters<typeof loadPolicy>[0])) as unknown as OpaWasmPolicy;
  } catch (err) {
    throw new PolicyError('POLICY_WASM_INVALID', `${path}: not a loadable OPA Wasm policy: ${describe(err)}`, {
      kind: 'usage',
      cause: err,
      hint: 'build it with `opa build -t wasm -e <entrypoint> <files>`',
    });
  }
  const data = { ...bundle.data, ...(opts.data ?? {}) };
  const buf = toJsonBuffer(data);
  policy.setData(buf ?? {});
  return new WasmEvaluator(policy, path);
}

/** The global WebAssembly API (typed here: the project's lib has no DOM types). */
interface WasmApi {
  Module: { new (bytes: Uint8Array): object; exports(m: object): Array<{ name: string }> };
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

// Compiles the bytes and checks for OPA's ABI exports before handing them to the SDK.
function compileOpaModule(bytes: Buffer, path: string): object {
  const hint = 'build it with `opa build -t wasm -e <entrypoint> <files>`';
  let module: object;
  try {
    module = new Wasm.Module(bytes);
  } catch (err) {
    throw new PolicyError('POLICY_WASM_INVALID', `${path}: not a WebAssembly module: ${describe(err)}`, { kind: 'usage', cause: err, hint });
  }
  const names = new Set(Wasm.Module.exports(module).map((e) => e.name));
  const missing = ['opa_wasm_abi_version', 'entrypoints', 'opa_malloc', 'opa_json_parse'].filter((n) => !names.has(n));
  if (missing.length > 0) {
    throw new PolicyError('POLICY_WASM_INVALID', `${path}: not an OPA Wasm policy (missing exports: ${missing.join(', ')})`, { kind: 'usage', hint });
  }
  return module;
}
