/**
 * The policy room's front door: what commands, the server and other rooms use. Loading `-d` paths,
 * `policy eval` / `test` / `check`, the PolicyEvaluator seam (Rego or compiled Wasm), and output
 * helpers. Heavy parts (opa-wasm) load lazily.
 */
export { PolicyError, type SourceLocation } from './errors.js';
export { loadPolicyPaths, loadInputFile, parseDataFile, type LoadedPolicyFiles, type ModuleFile, type LoadOptions } from './loader.js';
export { evalPolicyQuery, evalPolicy, errorItems, exitCodeOf, assertInputSize, DEFAULT_MAX_INPUT_BYTES, type PolicyEvalBundleRequest } from './eval.js';
export type { PolicyEvalRequest, PolicyEvalReport, OpaEvalOutput, OpaResult, OpaExpression, OpaErrorItem, ExplanationEntry } from './eval.js';
export { opaTestJson, testExitCode, coverageShortfall, parseThreshold, type OpaTestJson } from './test-runner.js';
export { coverageReport, uncoveredLines, CoverageRecorder, type CoverageReport, type FileCoverage, type UncoveredLine } from './coverage.js';
export { runPolicyTests, runPolicyTestsWithBundles, parseDurationMs, type PolicyTestRequest, type PolicyTestReport, type PolicyTestResult } from './test-runner.js';
export { checkPolicies, type PolicyCheckRequest, type PolicyCheckReport } from './check.js';
export { RegoEvaluator, createRegoEvaluator, openPackEvaluator, entrypointPath, dataRef } from './evaluator.js';
export type { PolicyEvaluator, RegoEvaluatorOptions } from './evaluator.js';
export { stringifyJson, parseJsonText } from './json-text.js';
export { toPlainJson } from './output.js';
export { formatRego, formatFiles, type FormatRequest, type FormatReport, type FormatFileResult } from './format/index.js';
export {
  buildBundle,
  buildPackBundle,
  loadBundles,
  mergeBundles,
  readBundle,
  BundleError,
  SIGNING_ALGORITHMS,
  type BuildRequest,
  type BuildReport,
  type LoadedBundle,
  type SigningOptions,
  type VerificationOptions,
} from './bundle/index.js';

/**
 * Load a compiled OPA Wasm policy (bundle.tar.gz, policy.wasm, or a directory holding one).
 * @example const ev = await loadWasmEvaluator('bundle.tar.gz'); ev.evaluate('example/allow', input)
 */
export async function loadWasmEvaluator(path: string, opts: { data?: Record<string, unknown> } = {}): Promise<import('./evaluator.js').PolicyEvaluator> {
  const mod = await import('./wasm/wasm-evaluator.js');
  return mod.loadWasmEvaluator(path, opts);
}
