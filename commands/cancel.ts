import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, remoteFlag } from '../src/cli/base-command.js';

export default class Cancel extends BaseCommand<typeof Cancel> {
  static override summary = 'Cancel an execution (or --all active ones of your tenant): running sandboxes are killed.';
  static override examples = ['<%= config.bin %> cancel ex_01jf...', '<%= config.bin %> cancel --all'];
  static override args = { id: Args.string({ description: 'Execution id.', required: false }) };
  static override flags = {
    ...remoteFlag,
    all: Flags.boolean({ description: 'Cancel every queued or running execution of your tenant.', default: false }),
  };

  async run(): Promise<void> {
    const { renderCancel } = await import('../src/cli/render-run.js');
    const api = await this.api();
    this.emit(await api.cancel({ ...(this.args.id ? { id: this.args.id } : {}), all: this.flags.all }), renderCancel);
  }
}
