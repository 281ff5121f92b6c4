import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';

export default class PolicyCheck extends BaseCommand<typeof PolicyCheck> {
  static override summary = 'Parse and compile Rego modules; print every error as file:line:col: code: message.';
  static override examples = ['<%= config.bin %> policy check policies/', '<%= config.bin %> policy check quota.rego budget.rego --json'];
  static override strict = false;
  static override args = {
    path: Args.string({ description: 'Files or directories to check.', required: true }),
  };
  static override flags = {
    format: Flags.string({ char: 'f', description: 'Output format (--json means json).', options: ['json', 'pretty'], default: 'pretty' }),
    strict: Flags.boolean({ char: 'S', description: 'Strict mode: also report unused variables, imports and deprecated builtins.', default: false }),
    'v0-compatible': Flags.boolean({
      description: 'Read modules without `import rego.v1` as Rego v0 (as opa --v0-compatible); by default every module is Rego v1, as in OPA 1.x.',
      default: false,
    }),
  };

  async run(): Promise<void> {
    const { checkPolicies } = await import('../../src/policy/index.js');
    const { renderCheckReport } = await import('../../src/cli/render-policy.js');
    const { argv } = await this.parse(PolicyCheck);
    const report = checkPolicies({ paths: argv as string[], strict: this.flags.strict, v0Compatible: this.flags['v0-compatible'], cwd: this.ctx.cwd });
    // Like `opa check`: errors are diagnostics on stderr; --json / --format json prints them on stdout.
    if (this.jsonMode || this.flags.format === 'json') process.stdout.write(`${JSON.stringify({ errors: report.errors }, null, 2)}\n`);
    else if (report.errors.length > 0) this.note(renderCheckReport(report));
    else this.note(`ok: ${report.modules} module${report.modules === 1 ? '' : 's'} checked`);
    // `opa check` exits 1 when a module has errors (README: policy check)
    this.finish(report.errors.length > 0 ? 1 : 0);
  }
}
