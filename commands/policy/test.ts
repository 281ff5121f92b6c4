import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { bundleVerification } from '../../src/cli/bundle-flags.js';

const SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'HS256', 'HS384', 'HS512'] as const;

export default class PolicyTest extends BaseCommand<typeof PolicyTest> {
  static override summary = 'Run Rego tests: every rule named test_* (like `opa test`).';
  static override description =
    "Loads modules and data from the paths (OPA loading rules) and -b bundles, and evaluates each test_* rule on its own: PASS when true, FAIL when false or undefined, ERROR when evaluation fails; todo_test_* rules are SKIPPED. Exit statuses are opa test's: 2 when a test fails, errors or is skipped (see --exit-zero-on-skipped) or the coverage threshold is missed, 1 when loading or compiling fails (or no test ran with --fail-on-empty), 0 otherwise. --format json prints opa test's JSON (location, package, name, fail, error, skip, duration, output).";
  static override examples = [
    '<%= config.bin %> policy test policies/',
    "<%= config.bin %> policy test policies/quota -v --run 'deny'",
    '<%= config.bin %> policy test policies/ --json',
    '<%= config.bin %> policy test -b quota.tar.gz --verification-key public.pem',
    '<%= config.bin %> policy test policies/quota --coverage --threshold 90',
  ];
  static override strict = false;
  static override args = {
    path: Args.string({ description: 'Files or directories with modules, tests and data (optional with -b).', required: false }),
  };
  static override flags = {
    bundle: Flags.string({ char: 'b', description: 'OPA bundle: a directory or .tar.gz (repeatable).', multiple: true, multipleNonGreedy: true }),
    'verification-key': Flags.string({
      description: "Verify -b bundles' .signatures.json: a PEM public key (file or text) or, for HS*, the secret.",
      helpValue: '<pem|secret>',
    }),
    'signing-alg': Flags.string({ description: 'Signature algorithm of --verification-key (as opa).', options: [...SIGNING_ALGS], default: 'RS256' }),
    scope: Flags.string({ description: 'Scope the bundle signature must carry (as opa --scope).' }),
    verbose: Flags.boolean({ char: 'v', description: 'Print every test, passing ones included.', default: false }),
    run: Flags.string({ char: 'r', description: 'Only run tests whose full name (data.pkg.test_x) matches this regular expression.' }),
    format: Flags.string({
      char: 'f',
      description: 'Output format: pretty, json (--json), or a CI format: junit, github, sarif.',
      options: ['json', 'pretty', 'junit', 'github', 'sarif'],
      default: 'pretty',
    }),
    strict: Flags.boolean({ char: 'S', description: 'Strict mode: compile checks and builtin errors raised.', default: false }),
    'v0-compatible': Flags.boolean({
      description: 'Read modules without `import rego.v1` as Rego v0 (as opa --v0-compatible); by default every module is Rego v1, as in OPA 1.x.',
      default: false,
    }),
    timeout: Flags.string({ char: 't', description: 'Time limit per test, e.g. 5s or 500ms.', default: '5s' }),
    'fail-on-empty': Flags.boolean({ description: 'Exit 1 when no test ran.', default: false }),
    'exit-zero-on-skipped': Flags.boolean({ description: 'Exit 0 when the only non-passing tests are skipped (todo_test_*), as opa.', default: false }),
    coverage: Flags.boolean({
      char: 'c',
      description: 'Report coverage as `opa test --coverage --format json` does (covered/not_covered ranges per file, line counts, %).',
      default: false,
    }),
    threshold: Flags.string({
      description: 'Coverage threshold in % (0-100; implies --coverage): below it, print the uncovered lines (file:line and source) and exit 2.',
      helpValue: '<N>',
    }),
  };

  async run(): Promise<void> {
    const { runPolicyTestsWithBundles, parseDurationMs, parseThreshold, opaTestJson, testExitCode, coverageShortfall, PolicyError } = await import(
      '../../src/policy/index.js'
    );
    const { renderTestReport } = await import('../../src/cli/render-policy.js');
    const { renderCoverageShortfall } = await import('../../src/cli/render-policy-tools.js');
    const { argv } = await this.parse(PolicyTest);
    const bundlePaths = this.flags.bundle ?? [];
    if (argv.length === 0 && bundlePaths.length === 0) {
      throw new PolicyError('POLICY_NO_PATHS', 'policy test: no paths or bundles given', {
        kind: 'usage',
        hint: 'e.g. maestro policy test policies/ or maestro policy test -b bundle.tar.gz',
      });
    }
    const threshold = this.flags.threshold !== undefined ? parseThreshold(this.flags.threshold) : 0;
    const coverage = this.flags.coverage || threshold > 0;
    const report = await runPolicyTestsWithBundles({
      coverage,
      paths: argv as string[],
      bundlePaths,
      ...bundleVerification(this.flags),
      ...(this.flags.run !== undefined ? { run: this.flags.run } : {}),
      strict: this.flags.strict,
      v0Compatible: this.flags['v0-compatible'],
      timeoutMs: parseDurationMs(this.flags.timeout, '--timeout'),
      cwd: this.ctx.cwd,
      nowNs: BigInt(this.ctx.clock.now()) * 1_000_000n,
    });
    // As opa test: with coverage the output is the coverage report; otherwise the results (or a CI format).
    if (coverage && report.coverage) process.stdout.write(`${JSON.stringify(report.coverage, null, 2)}\n`);
    else if (this.machineFormat) await this.emitFormat((await import('../../src/cli/formats/index.js')).fromPolicyTests(report.results));
    else if (this.jsonMode) process.stdout.write(`${JSON.stringify(opaTestJson(report.results), null, 2)}\n`);
    else process.stdout.write(`${renderTestReport(report, this.flags.verbose)}\n`);
    const shortfall = coverageShortfall(report, threshold);
    if (shortfall) this.note(renderCoverageShortfall(shortfall));
    if (report.results.length === 0 && this.flags['fail-on-empty']) this.note('no tests were run');
    this.finish(testExitCode(report, { failOnEmpty: this.flags['fail-on-empty'], exitZeroOnSkipped: this.flags['exit-zero-on-skipped'], threshold }));
  }
}
