import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../src/cli/base-command.js';

export default class Status extends BaseCommand<typeof Status> {
  static override summary = 'Show an execution (the latest by default), or every execution with --all.';
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status ex_01jf... --json', '<%= config.bin %> status --all', '<%= config.bin %> status ex_01jf... --explain'];
  static override args = { id: Args.string({ description: 'Execution id (default: the latest).', required: false }) };
  static override flags = {
    all: Flags.boolean({ description: 'List every execution of your tenant, newest first.', default: false }),
    explain: Flags.boolean({ description: "Also show the policy decisions made for it and the tenant's budget context (cap, spent, remaining, projected).", default: false }),
  };

  async run(): Promise<void> {
    const runner = await import('../src/runner/index.js');
    const render = await import('../src/cli/render-run.js');
    const session = await this.session();
    if (this.flags.all) {
      this.emit(runner.listAllExecutions(session), render.renderExecutionList);
      return;
    }
    const { executionStatusView } = await import('../src/engine/index.js');
    const { renderStatusView } = await import('../src/cli/render-engine.js');
    this.emit(await executionStatusView(session, { id: this.args.id, explain: this.flags.explain }), renderStatusView);
  }
}
