import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, remoteFlag } from '../src/cli/base-command.js';

export default class Logs extends BaseCommand<typeof Logs> {
  static override summary = "Print an execution's task logs (one JSON object a line with --json); --follow tails them until it ends.";
  static override examples = [
    '<%= config.bin %> logs ex_01jf...',
    '<%= config.bin %> logs ex_01jf... --task build --follow',
    '<%= config.bin %> logs ex_01jf... --json',
  ];
  static override args = { id: Args.string({ description: 'Execution id.', required: true }) };
  static override flags = {
    ...remoteFlag,
    task: Flags.string({ description: 'Only this task.', helpValue: '<task>' }),
    follow: Flags.boolean({ char: 'f', description: 'Keep printing new lines until the execution ends.', default: false }),
  };

  async run(): Promise<void> {
    const { renderLogLine } = await import('../src/cli/render-run.js');
    const api = await this.api();
    // Column width for the human form only (it costs a status read, a request in remote mode).
    const width = this.jsonMode
      ? 0
      : this.flags.task
        ? this.flags.task.length
        : Math.max(0, ...(await api.status(this.args.id, false)).tasks.map((t) => t.id.length));
    const opts = { follow: this.flags.follow, ...(this.flags.task ? { task: this.flags.task } : {}) };
    await api.logs(this.args.id, opts, (l) => {
      process.stdout.write(`${this.jsonMode ? JSON.stringify(l) : renderLogLine(l, width)}\n`);
    });
  }
}
