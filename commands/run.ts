import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, formatFlag, remoteFlag } from '../src/cli/base-command.js';

export default class Run extends BaseCommand<typeof Run> {
  static override summary = 'Run a workflow: every task in a bubblewrap + seccomp sandbox, in dependency order.';
  static override description =
    'Publishes the execution (quota-checked atomically per tenant), runs its tasks as a DAG (independent tasks in ' +
    "parallel), streams each task's output to logs/<task>.ndjson and records usage and written files. Exit 0 when " +
    'it succeeded, 1 when it failed or was cancelled, 3 when denied (quota, budget or policy). --queue waits for a quota ' +
    'slot instead of being denied. --sandbox none runs tasks ' +
    'unsandboxed and records sandbox: none (policies may deny it).';
  static override examples = [
    '<%= config.bin %> run wf.yaml',
    '<%= config.bin %> run wf.yaml --json',
    '<%= config.bin %> run wf.yaml --detach --json',
    '<%= config.bin %> run wf.yaml --queue',
    '<%= config.bin %> run wf.yaml --sandbox none',
  ];
  static override args = { manifest: Args.string({ description: 'Path of the manifest (YAML).', required: false }) };
  static override flags = {
    ...remoteFlag,
    ...formatFlag,
    detach: Flags.boolean({
      description: 'Return as soon as the execution is queued; a worker pool runs it (the local one is started on demand).',
      default: false,
    }),
    queue: Flags.boolean({
      description: 'Over the concurrency quota, wait queued for a free slot instead of being denied (budget denials never wait).',
      default: false,
    }),
    sandbox: Flags.string({ description: 'Sandbox for the tasks.', options: ['bwrap', 'none'], default: 'bwrap' }),
    region: Flags.string({ description: 'Region the run is requested for (default: the workflow region); the residency pack checks it.' }),
  };

  async run(): Promise<void> {
    if (!this.args.manifest) {
      const { UsageError } = await import('../src/core/errors.js');
      throw new UsageError('MANIFEST_REQUIRED', 'name the manifest to run', { hint: 'maestro run <manifest.yaml>' });
    }
    const { renderRunView } = await import('../src/cli/render-engine.js');
    const api = await this.api();
    const result = await api.run({
      manifestPath: this.args.manifest,
      sandbox: this.flags.sandbox as 'bwrap' | 'none',
      detach: this.flags.detach,
      queue: this.flags.queue,
      ...(this.flags.region === undefined ? {} : { region: this.flags.region }),
      ...(this.jsonMode || this.machineFormat ? {} : { progress: (line: string) => this.note(line) }),
    });
    for (const w of result.warnings) this.note(`warning: ${w}`);
    if (result.view.status === 'denied') this.note(`denied: ${result.view.reason ?? 'by policy'}`);
    if (this.machineFormat) await this.emitFormat((await import('../src/cli/formats/index.js')).fromExecution(result.view));
    else this.emit(result.view, renderRunView);
    this.finish(result.exitCode);
  }
}
