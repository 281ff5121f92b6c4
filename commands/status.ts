import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, remoteFlag } from '../src/cli/base-command.js';

export default class Status extends BaseCommand<typeof Status> {
  static override summary = 'Show an execution (the latest by default), or every execution with --all.';
  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status ex_01jf... --json',
    '<%= config.bin %> status --all',
    '<%= config.bin %> status ex_01jf... --explain',
  ];
  static override args = { id: Args.string({ description: 'Execution id (default: the latest).', required: false }) };
  static override flags = {
    ...remoteFlag,
    all: Flags.boolean({ description: 'List every execution of your tenant, newest first.', default: false }),
    explain: Flags.boolean({
      description: "Also show the policy decisions made for it and the tenant's budget context (cap, spent, remaining, projected).",
      default: false,
    }),
  };

  async run(): Promise<void> {
    const api = await this.api();
    if (this.flags.all) {
      const { renderExecutionList } = await import('../src/cli/render-run.js');
      this.emit(await api.executions(), renderExecutionList);
      return;
    }
    const { renderStatusView } = await import('../src/cli/render-engine.js');
    this.emit(await api.status(this.args.id, this.flags.explain), renderStatusView);
  }
}
