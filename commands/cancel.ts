import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';

export default class Cancel extends BaseCommand<typeof Cancel> {
  static override summary = 'Cancel an execution (or --all active ones of your tenant): running sandboxes are killed.';
  static override examples = ['<%= config.bin %> cancel ex_01jf...', '<%= config.bin %> cancel --all'];
  static override args = { id: Args.string({ description: 'Execution id.', required: false }) };
  static override flags = { all: Flags.boolean({ description: 'Cancel every queued or running execution of your tenant.', default: false }) };

  async run(): Promise<void> {
    const { cancelExecutions } = await import('../src/runner/index.js');
    const { renderCancel } = await import('../src/cli/render-run.js');
    const session = await this.session();
    this.emit(cancelExecutions(session, { ...(this.args.id ? { id: this.args.id } : {}), all: this.flags.all }), renderCancel);
  }
}
