import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';

export default class Status extends BaseCommand<typeof Status> {
  static override summary = 'Show an execution (the latest by default), or every execution with --all.';
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status ex_01jf... --json', '<%= config.bin %> status --all'];
  static override args = { id: Args.string({ description: 'Execution id (default: the latest).', required: false }) };
  static override flags = { all: Flags.boolean({ description: 'List every execution of your tenant, newest first.', default: false }) };

  async run(): Promise<void> {
    const runner = await import('../src/runner/index.js');
    const render = await import('../src/cli/render-run.js');
    const session = await this.session();
    if (this.flags.all) {
      this.emit(runner.listAllExecutions(session), render.renderExecutionList);
      return;
    }
    this.emit(runner.executionStatus(session, this.args.id), render.renderExecution);
  }
}
