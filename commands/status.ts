import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, remoteFlag } from '../src/cli/base-command.js';
import { statusBody } from '../src/cli/hot-commands.js';

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
    await statusBody(this.runtime, this.args.id, { all: this.flags.all, explain: this.flags.explain });
  }
}
