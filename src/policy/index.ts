/**
 * The policy room's front door: what commands, the server and other rooms use. Loading `-d` paths,
 * `policy eval` / `test` / `check`, the PolicyEvaluator seam (Rego or compiled Wasm), and output
 * helpers. Heavy parts (opa-wasm) load lazily.
 */

export {
  type BuildReport,
  type BuildRequest,
  BundleError,
  buildBundle,
  buildPackBundle,
  type LoadedBundle,
  loadBundles,
  mergeBundles,
  readBundle,
  SIGNING_ALGORITHMS,
  type SigningOptions,
  type VerificationOptions,
} from './bundle/index.js';
export { checkPolicies, type PolicyCheckReport, type PolicyCheckRequest } from './check.js';
export { CoverageRecorder, type CoverageReport, coverageReport, type FileCoverage, type UncoveredLine, uncoveredLines } from './coverage.js';
export { PolicyError, type SourceLocation } from './errors.js';
export type { ExplanationEntry, OpaErrorItem, OpaEvalOutput, OpaExpression, OpaResult, PolicyEvalReport, PolicyEvalRequest } from './eval.js';
export { assertInputSize, DEFAULT_MAX_INPUT_BYTES, errorItems, evalPolicy, evalPolicyQuery, exitCodeOf, type PolicyEvalBundleRequest } from './eval.js';
export type { PolicyEvaluator, RegoEvaluatorOptions } from './evaluator.js';
export { createRegoEvaluator, dataRef, entrypointPath, openPackEvaluator, RegoEvaluator } from './evaluator.js';
export { type FormatFileResult, type FormatReport, type FormatRequest, formatFiles, formatRego } from './format/index.js';
export { parseJsonText, stringifyJson } from './json-text.js';
export { type LoadedPolicyFiles, type LoadOptions, loadInputFile, loadPolicyPaths, type ModuleFile, parseDataFile } from './loader.js';
export { toPlainJson } from './output.js';
export {
  coverageShortfall,
  type OpaTestJson,
  opaTestJson,
  type PolicyTestReport,
  type PolicyTestRequest,
  type PolicyTestResult,
  parseDurationMs,
  parseThreshold,
  runPolicyTests,
  runPolicyTestsWithBundles,
  testExitCode,
} from './test-runner.js';

/**
 * Load a compiled OPA Wasm policy (bundle.tar.gz, policy.wasm, or a directory holding one).
 * @example const ev = await loadWasmEvaluator('bundle.tar.gz'); ev.evaluate('example/allow', input)
 */
export async function loadWasmEvaluator(path: string, opts: { data?: Record<string, unknown> } = {}): Promise<import('./evaluator.js').PolicyEvaluator> {
  const mod = await import('./wasm/wasm-evaluator.js');
  return mod.loadWasmEvaluator(path, opts);
}
