/**
 * `policy test`: run every rule named `test_*` (in every package) as its own evaluation, as `opa test`
 * does. PASS when it evaluates to true, FAIL when false or undefined, ERROR when evaluation fails;
 * `todo_test_*` rules are reported as SKIPPED.
 */
import { EngineError } from '../core/errors.js';
import { type LoadedBundle, loadBundles, mergeBundles, type VerificationOptions } from './bundle/index.js';
import { CoverageRecorder, type CoverageReport, coverageReport, type UncoveredLine, uncoveredLines } from './coverage.js';
import { PolicyError, type SourceLocation } from './errors.js';
import { errorItems, type OpaErrorItem } from './eval.js';
import { loadPolicyPaths, type ModuleFile } from './loader.js';
import { type CompiledPolicy, compile, evaluate, listRules } from './rego/index.js';
import { fromJson, type Value } from './rego/value.js';

export interface PolicyTestRequest {
  paths: readonly string[];
  /** Bundles already read (`runPolicyTestsWithBundles` reads `-b` paths). */
  bundles?: readonly LoadedBundle[];
  /** Only tests whose full name (data.pkg.test_x) matches this regular expression. */
  run?: string;
  strict?: boolean;
  /** Read modules without `import rego.v1` v0-compatibly (`--v0-compatible`); by default they are Rego v1, as in OPA 1.x. */
  v0Compatible?: boolean;
  cwd?: string;
  nowNs?: bigint;
  /** Per-test time limit in milliseconds (default 5000, as opa test). */
  timeoutMs?: number;
  /** Record which rule heads and expressions the tests evaluate (`--coverage`). */
  coverage?: boolean;
}

/** One test outcome; the JSON form of `policy test --json` is an array of these. */
export interface PolicyTestResult {
  /** The package as a data path, e.g. `data.quota`. */
  package: string;
  name: string;
  location: SourceLocation;
  pass: boolean;
  fail?: true;
  /** A `todo_test_*` rule: reported, not run. */
  skip?: true;
  error?: OpaErrorItem;
  duration_ns: number;
  /** Lines printed by `print()` during the test (only when any). */
  output?: string[];
}

export interface PolicyTestReport {
  results: PolicyTestResult[];
  counts: { pass: number; fail: number; error: number; skip: number; total: number };
  /** With `coverage`: OPA's coverage report, and the modules it is about (for uncovered-line text). */
  coverage?: CoverageReport;
  modules?: ModuleFile[];
}

interface TestCase {
  pkg: string;
  name: string;
  location: SourceLocation;
  todo: boolean;
}

/**
 * Load, compile and run the tests under `paths`. Compile errors throw (RegoError, exit 2).
 * @example const { counts } = runPolicyTests({ paths: ['policies/quota'], run: 'deny' });
 */
export function runPolicyTests(req: PolicyTestRequest): PolicyTestReport {
  const filter = compileFilter(req.run);
  const loaded = mergeBundles(loadPolicyPaths(req.paths, { cwd: req.cwd }), req.bundles ?? []);
  const policy = compile(loaded.modules, { strict: req.strict === true, v1: req.v0Compatible !== true });
  const cases = discoverTests(policy).filter((t) => filter === undefined || filter.test(`${t.pkg}.${t.name}`));
  const data = fromJson(loaded.data);
  const recorder = req.coverage ? new CoverageRecorder() : undefined;
  const results = cases.map((t) => runOne(policy, t, data, req, recorder));
  const counts = { pass: 0, fail: 0, error: 0, skip: 0, total: results.length };
  for (const r of results) {
    if (r.skip) counts.skip++;
    else if (r.error) counts.error++;
    else if (r.fail) counts.fail++;
    else counts.pass++;
  }
  if (!recorder) return { results, counts };
  return { results, counts, coverage: coverageReport(loaded.modules, recorder), modules: loaded.modules };
}

/**
 * `runPolicyTests` plus `-b` bundles (directories or .tar.gz), read and verified first.
 * @example await runPolicyTestsWithBundles({ paths: [], bundlePaths: ['quota.tar.gz'] })
 */
export async function runPolicyTestsWithBundles(
  req: PolicyTestRequest & { bundlePaths?: readonly string[]; verification?: VerificationOptions },
): Promise<PolicyTestReport> {
  try {
    const bundles = await loadBundles(req.bundlePaths ?? [], {
      ...(req.cwd ? { cwd: req.cwd } : {}),
      ...(req.verification ? { verification: req.verification } : {}),
    });
    return runPolicyTests({ ...req, bundles: [...(req.bundles ?? []), ...bundles] });
  } catch (err) {
    throw asLoadFailure(err);
  }
}

// opa test exits 1 when loading or compiling fails (2 means failing tests); a bad --run stays a usage error.
function asLoadFailure(err: unknown): unknown {
  if (!(err instanceof EngineError) || err.kind === 'error' || err.code === 'POLICY_BAD_RUN_PATTERN') return err;
  return new PolicyError(err.code, err.message, {
    kind: 'error',
    cause: err,
    ...(err.hint ? { hint: err.hint } : {}),
    ...(err.details ? { details: err.details } : {}),
  });
}

function compileFilter(run: string | undefined): RegExp | undefined {
  if (run === undefined || run === '') return undefined;
  try {
    return new RegExp(run);
  } catch (err) {
    throw new PolicyError('POLICY_BAD_RUN_PATTERN', `--run ${JSON.stringify(run)} is not a valid regular expression`, {
      kind: 'usage',
      cause: err,
      hint: 'e.g. --run "quota" or --run "^data\\.quota\\.test_deny"',
    });
  }
}

// Every distinct test_* rule, in file and line order (a rule defined by several bodies runs once).
function discoverTests(policy: CompiledPolicy): TestCase[] {
  const seen = new Set<string>();
  const out: TestCase[] = [];
  for (const rule of listRules(policy)) {
    const todo = rule.name.startsWith('todo_test_');
    if (!rule.name.startsWith('test_') && !todo) continue;
    const pkg = rule.path.endsWith(`.${rule.name}`) ? rule.path.slice(0, -rule.name.length - 1) : rule.path;
    const full = `${pkg}.${rule.name}`;
    if (seen.has(full)) continue;
    seen.add(full);
    out.push({
      pkg: pkg === 'data' || pkg.startsWith('data.') ? pkg : `data.${pkg}`,
      name: rule.name,
      location: { file: rule.location.file, row: rule.location.row, col: rule.location.col },
      todo,
    });
  }
  return out.sort((a, b) => a.location.file.localeCompare(b.location.file) || a.location.row - b.location.row);
}

const PRINT_PREFIX = /^[^\n]*?:\d+: /;

function runOne(policy: CompiledPolicy, t: TestCase, data: Value, req: PolicyTestRequest, recorder?: CoverageRecorder): PolicyTestResult {
  const output: string[] = [];
  const base = { package: t.pkg, name: t.name, location: t.location };
  if (t.todo) return { ...base, pass: false, skip: true, duration_ns: 0 };
  const start = process.hrtime.bigint();
  let outcome: Pick<PolicyTestResult, 'pass' | 'fail' | 'error'>;
  try {
    const { results } = evaluate(policy, `${t.pkg}.${t.name}`, {
      data,
      strict: req.strict === true,
      timeoutMs: req.timeoutMs ?? 5000,
      // The interpreter prefixes print() lines with file:row; opa test's output is the text alone.
      print: (line) => output.push(line.replace(PRINT_PREFIX, '')),
      ...(recorder ? { coverage: recorder.record } : {}),
      ...(req.nowNs !== undefined ? { nowNs: req.nowNs } : {}),
    });
    const value = results[0]?.expressions[0]?.value;
    outcome = value === true ? { pass: true } : { pass: false, fail: true };
  } catch (err) {
    outcome = { pass: false, error: testError(err) };
  }
  const duration_ns = Number(process.hrtime.bigint() - start);
  return { ...base, ...outcome, duration_ns, ...(output.length > 0 ? { output } : {}) };
}

// The first error item; an interpreter bug is reported as the test's error rather than ending the run.
function testError(err: unknown): OpaErrorItem {
  try {
    return errorItems(err)[0] ?? { code: 'eval_error', message: 'evaluation failed' };
  } catch {
    return { code: 'internal_error', message: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Milliseconds from a Go-style duration ("5s", "500ms", "1m30s") or a bare number of seconds.
 * @example parseDurationMs('1.5s', '--timeout') // 1500
 */
export function parseDurationMs(text: string, flag: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let end = 0;
  for (let m = re.exec(t); m !== null; m = re.exec(t)) {
    total += Number(m[1]) * unit[m[2]!]!;
    end = re.lastIndex;
  }
  if (end !== t.length || t === '' || total <= 0) {
    throw new PolicyError('POLICY_BAD_DURATION', `${flag} ${JSON.stringify(text)} is not a duration`, { kind: 'usage', hint: 'e.g. 5s, 500ms, 1m' });
  }
  return total;
}

/** One result as `opa test --format json` prints it (keys and omissions as OPA's tester.Result). */
export interface OpaTestJson {
  location: SourceLocation;
  package: string;
  name: string;
  fail?: true;
  error?: OpaErrorItem;
  skip?: true;
  duration: number;
  /** print() output, base64 as Go encodes []byte. */
  output?: string;
}

/**
 * The `--format json` document of `opa test`.
 * @example opaTestJson(report.results)[0] // { location, package: 'data.quota_test', name: 'test_x', duration: 41000 }
 */
export function opaTestJson(results: readonly PolicyTestResult[]): OpaTestJson[] {
  return results.map((r) => ({
    location: r.location,
    package: r.package,
    name: r.name,
    ...(r.fail ? { fail: true as const } : {}),
    ...(r.error ? { error: r.error } : {}),
    ...(r.skip ? { skip: true as const } : {}),
    duration: r.duration_ns,
    ...(r.output ? { output: Buffer.from(r.output.map((l) => `${l}\n`).join(''), 'utf8').toString('base64') } : {}),
  }));
}

/**
 * `opa test`'s exit status: 2 when a test failed, errored or was skipped (unless `exitZeroOnSkipped`)
 * or the coverage threshold was missed, 1 when no test ran and `failOnEmpty`, else 0.
 * @example testExitCode(report, { failOnEmpty: false }) // 0
 */
export function testExitCode(report: PolicyTestReport, opts: { failOnEmpty?: boolean; exitZeroOnSkipped?: boolean; threshold?: number }): number {
  const bad = report.results.some((r) => r.fail || r.error || (r.skip && !opts.exitZeroOnSkipped));
  if (bad) return 2;
  if (opts.threshold !== undefined && opts.threshold > 0 && report.coverage && report.coverage.coverage < opts.threshold) return 2;
  if (report.results.length === 0 && opts.failOnEmpty) return 1;
  return 0;
}

/**
 * Check `--threshold` (0-100): what `opa test --threshold` reports, plus the uncovered lines with
 * their text (what OPA's issues #2139/#2562 ask for).
 * @example coverageShortfall(report, 90) // undefined when met
 */
export function coverageShortfall(report: PolicyTestReport, threshold: number): { message: string; uncovered: UncoveredLine[] } | undefined {
  if (!report.coverage || threshold <= 0 || report.coverage.coverage >= threshold) return undefined;
  return {
    message: `Code coverage threshold not met: got ${report.coverage.coverage.toFixed(2)} instead of ${threshold.toFixed(2)}`,
    uncovered: uncoveredLines(report.coverage, report.modules ?? []),
  };
}

/**
 * Validate `--threshold` as opa does (0 to 100).
 * @example parseThreshold('80') // 80
 */
export function parseThreshold(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) {
    throw new PolicyError('POLICY_BAD_THRESHOLD', `--threshold ${JSON.stringify(text)}: code coverage threshold must be between 0 and 100`, {
      kind: 'error',
      hint: 'e.g. --threshold 80',
    });
  }
  return n;
}
