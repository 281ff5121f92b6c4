import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';

export default class PolicyTest extends BaseCommand<typeof PolicyTest> {
  static override summary = 'Run Rego tests: every rule named test_* (like `opa test`).';
  static override description =
    'Loads modules and data from the paths (OPA loading rules) and evaluates each test_* rule on its own: PASS when true, FAIL when false or undefined, ERROR when evaluation fails; todo_test_* rules are SKIPPED. Exits 1 when any test fails or errors, 2 on parse/compile errors.';
  static override examples = [
    '<%= config.bin %> policy test policies/',
    "<%= config.bin %> policy test policies/quota -v --run 'deny'",
    '<%= config.bin %> policy test policies/ --json',
  ];
  static override strict = false;
  static override args = {
    path: Args.string({ description: 'Files or directories with modules, tests and data.', required: true }),
  };
  static override flags = {
    verbose: Flags.boolean({ char: 'v', description: 'Print every test, passing ones included.', default: false }),
    run: Flags.string({ char: 'r', description: 'Only run tests whose full name (data.pkg.test_x) matches this regular expression.' }),
    format: Flags.string({ char: 'f', description: 'Output format: pretty, json (--json), or a CI format: junit, github, sarif.', options: ['json', 'pretty', 'junit', 'github', 'sarif'], default: 'pretty' }),
    strict: Flags.boolean({ char: 'S', description: 'Strict mode: compile checks and builtin errors raised.', default: false }),
    timeout: Flags.string({ char: 't', description: 'Time limit per test, e.g. 5s or 500ms.', default: '5s' }),
    'fail-on-empty': Flags.boolean({ description: 'Exit 1 when no test ran.', default: false }),
  };

  async run(): Promise<void> {
    const { runPolicyTests, parseDurationMs } = await import('../../src/policy/index.js');
    const { renderTestReport } = await import('../../src/cli/render-policy.js');
    const { argv } = await this.parse(PolicyTest);
    const report = runPolicyTests({
      paths: argv as string[],
      ...(this.flags.run !== undefined ? { run: this.flags.run } : {}),
      strict: this.flags.strict,
      timeoutMs: parseDurationMs(this.flags.timeout, '--timeout'),
      cwd: this.ctx.cwd,
      nowNs: BigInt(this.ctx.clock.now()) * 1_000_000n,
    });
    if (this.machineFormat) await this.emitFormat((await import('../../src/cli/formats/index.js')).fromPolicyTests(report.results));
    else if (this.jsonMode) process.stdout.write(`${JSON.stringify(report.results, null, 2)}\n`);
    else process.stdout.write(`${renderTestReport(report, this.flags.verbose)}\n`);
    const failed = report.counts.fail + report.counts.error > 0 || (report.results.length === 0 && this.flags['fail-on-empty']);
    this.finish(failed ? 1 : 0);
  }
}
