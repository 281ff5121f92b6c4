/**
 * `policy eval`: load `-d` paths and an input, compile, evaluate one query, and answer in exactly the
 * shape of `opa eval --format json` (result / errors), plus an optional explanation.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { EngineError } from '../core/errors.js';
import { type LoadedBundle, loadBundles, mergeBundles, type VerificationOptions } from './bundle/index.js';
import { PolicyError, type SourceLocation } from './errors.js';
import { loadInputFile, loadPolicyPaths } from './loader.js';
import { toPlainJson } from './output.js';
import { compile, evaluateRaw, RegoError } from './rego/index.js';

export interface PolicyEvalRequest {
  query: string;
  /** `-d` paths: .rego files, data files, directories. */
  dataPaths: readonly string[];
  /** Bundles already read (see `evalPolicy` for `-b` paths). */
  bundles?: readonly LoadedBundle[];
  /** `-i` input file. */
  inputPath?: string;
  /** An input document given directly (wins over inputPath). */
  input?: unknown;
  /** Refuse an input file larger than this, before reading it (default DEFAULT_MAX_INPUT_BYTES). */
  maxInputBytes?: number;
  explain?: boolean;
  strict?: boolean;
  /** Read modules without `import rego.v1` v0-compatibly (`--v0-compatible`); by default they are Rego v1, as in OPA 1.x. */
  v0Compatible?: boolean;
  /** Evaluation time limit in milliseconds (interpreter default otherwise). */
  timeoutMs?: number;
  cwd?: string;
  /** time.now_ns() for this evaluation (from the Context clock). */
  nowNs?: bigint;
  /** Where `print()` lines go (stderr in the CLI). */
  print?: (line: string) => void;
}

export interface OpaExpression {
  value: unknown;
  text: string;
  location: { row: number; col: number };
}

export interface OpaResult {
  expressions: OpaExpression[];
  bindings?: Record<string, unknown>;
}

export interface OpaErrorItem {
  message: string;
  code: string;
  location?: SourceLocation;
}

export interface ExplanationEntry {
  rule: string;
  value: unknown;
  bindings: Record<string, unknown>;
  location: SourceLocation;
}

/** Exactly `opa eval --format json`: `{result}` when defined, `{}` when undefined, `{errors}` on failure. */
export interface OpaEvalOutput {
  result?: OpaResult[];
  explanation?: ExplanationEntry[];
  errors?: OpaErrorItem[];
}

/** The output and the exit status it deserves: 0 ok, 1 evaluation error, 2 parse/compile/usage, 5 missing file. */
export interface PolicyEvalReport {
  output: OpaEvalOutput;
  exitCode: number;
}

/** Default `--max-input-bytes`: 32 MiB (parsing JSON costs several times its size in memory). */
export const DEFAULT_MAX_INPUT_BYTES = 32 * 1024 * 1024;

/**
 * Refuse an input over `max` bytes before it is read or parsed (input parsing counts against the
 * evaluation's bounds too). `source` names it in the message: a path or `<stdin>`.
 * @example assertInputSize(2e9, DEFAULT_MAX_INPUT_BYTES, 'big.json') // throws POLICY_INPUT_TOO_LARGE
 */
export function assertInputSize(bytes: number, max: number | undefined, source: string): void {
  const limit = max ?? DEFAULT_MAX_INPUT_BYTES;
  if (bytes <= limit) return;
  throw new PolicyError('POLICY_INPUT_TOO_LARGE', `input ${source} is larger than the limit of ${limit} bytes (${bytes > limit + 1 ? bytes : 'more'} bytes)`, {
    kind: 'usage',
    hint: 'raise the limit with --max-input-bytes <n>, or pass a smaller input',
  });
}

function checkInputFileSize(path: string, max: number | undefined, cwd: string | undefined): void {
  let size: number;
  try {
    size = statSync(resolve(cwd ?? process.cwd(), path)).size;
  } catch {
    return; // a missing file is reported by the loader
  }
  assertInputSize(size, max, path);
}

/**
 * Evaluate a query against policy files, never throwing for policy problems (they become `errors`).
 * @example
 *   const { output } = evalPolicyQuery({ query: 'data.quota.deny', dataPaths: ['policies/quota'], input: {} });
 */
export function evalPolicyQuery(req: PolicyEvalRequest): PolicyEvalReport {
  try {
    const loaded = mergeBundles(loadPolicyPaths(req.dataPaths, { cwd: req.cwd }), req.bundles ?? []);
    if (req.input === undefined && req.inputPath !== undefined) checkInputFileSize(req.inputPath, req.maxInputBytes, req.cwd);
    const input = req.input !== undefined ? req.input : req.inputPath !== undefined ? loadInputFile(req.inputPath, { cwd: req.cwd }) : undefined;
    const policy = compile(loaded.modules, { strict: req.strict === true, v1: req.v0Compatible !== true });
    const { raw, exprs, explain } = evaluateRaw(policy, req.query, {
      data: loaded.data,
      ...(input !== undefined ? { input } : {}),
      strict: req.strict === true,
      explain: req.explain === true,
      ...(req.timeoutMs !== undefined ? { timeoutMs: req.timeoutMs } : {}),
      ...(req.nowNs !== undefined ? { nowNs: req.nowNs } : {}),
      ...(req.print ? { print: req.print } : {}),
    });
    const output: OpaEvalOutput = {};
    if (raw.length > 0) {
      output.result = raw.map((r) => {
        const res: OpaResult = {
          expressions: r.expressions.map((v, i) => ({
            value: toPlainJson(v),
            text: exprs[i]?.text ?? '',
            location: { row: exprs[i]?.loc.row ?? 1, col: exprs[i]?.loc.col ?? 1 },
          })),
        };
        if (r.bindings.size > 0) res.bindings = toPlainJson(Object.fromEntries(r.bindings)) as Record<string, unknown>;
        return res;
      });
    }
    if (req.explain === true) output.explanation = (explain ?? []).map(explanationEntry);
    return { output, exitCode: 0 };
  } catch (err) {
    return { output: { errors: errorItems(err) }, exitCode: exitCodeOf(err) };
  }
}

/** `policy eval` with `-b` bundles: read (and verify) them, then evaluate; bundle errors become `errors`. */
export interface PolicyEvalBundleRequest extends PolicyEvalRequest {
  bundlePaths?: readonly string[];
  verification?: VerificationOptions;
}

/**
 * `evalPolicyQuery` plus `-b` bundles (directories or .tar.gz), read asynchronously (signatures).
 * @example const { output } = await evalPolicy({ query: 'data.quota.deny', dataPaths: [], bundlePaths: ['quota.tar.gz'] });
 */
export async function evalPolicy(req: PolicyEvalBundleRequest): Promise<PolicyEvalReport> {
  let bundles: LoadedBundle[];
  try {
    bundles = await loadBundles(req.bundlePaths ?? [], {
      ...(req.cwd ? { cwd: req.cwd } : {}),
      ...(req.verification ? { verification: req.verification } : {}),
    });
  } catch (err) {
    return { output: { errors: errorItems(err) }, exitCode: exitCodeOf(err) };
  }
  return evalPolicyQuery({ ...req, bundles: [...(req.bundles ?? []), ...bundles] });
}

// Sorted bindings, exact values, location without the source text.
function explanationEntry(e: { rule: string; value: unknown; bindings: Record<string, unknown>; location: SourceLocation }): ExplanationEntry {
  return {
    rule: e.rule,
    value: toPlainJson(e.value),
    bindings: toPlainJson(e.bindings) as Record<string, unknown>,
    location: { file: e.location.file, row: e.location.row, col: e.location.col },
  };
}

/**
 * OPA-shaped error items for any error the policy room raises; anything else is a bug and rethrown.
 * @example errorItems(err) // [{ message, code: 'rego_parse_error', location: { file, row, col } }]
 */
export function errorItems(err: unknown): OpaErrorItem[] {
  if (err instanceof RegoError) {
    return err.errors.map((e) => ({
      message: e.message,
      code: e.code,
      ...(e.location ? { location: { file: e.location.file, row: e.location.row, col: e.location.col } } : {}),
    }));
  }
  if (err instanceof PolicyError) {
    return [{ message: err.reason, code: err.code, ...(err.location ? { location: err.location } : {}) }];
  }
  if (err instanceof EngineError) return [{ message: err.message, code: err.code }];
  throw err;
}

/** The exit status an error deserves (RegoError: 2 for parse/compile, 1 for evaluation). */
export function exitCodeOf(err: unknown): number {
  return err instanceof EngineError ? err.exitCode : 1;
}
