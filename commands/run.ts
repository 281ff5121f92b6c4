import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../src/cli/base-command.js';

export default class Run extends BaseCommand<typeof Run> {
  static override summary = 'Run a workflow: every task in a bubblewrap + seccomp sandbox, in dependency order.';
  static override description =
    'Publishes the execution (quota-checked atomically per tenant), runs its tasks as a DAG (independent tasks in ' +
    'parallel), streams each task\'s output to logs/<task>.ndjson and records usage and written files. Exit 0 when ' +
    'it succeeded, 1 when it failed or was cancelled, 3 when denied (quota or policy). --sandbox none runs tasks ' +
    'unsandboxed and records sandbox: none (policies may deny it).';
  static override examples = [
    '<%= config.bin %> run wf.yaml',
    '<%= config.bin %> run wf.yaml --json',
    '<%= config.bin %> run wf.yaml --detach --json',
    '<%= config.bin %> run wf.yaml --sandbox none',
  ];
  static override args = { manifest: Args.string({ description: 'Path of the manifest (YAML).', required: false }) };
  static override flags = {
    detach: Flags.boolean({ description: 'Return as soon as the execution is published; a background worker runs it.', default: false }),
    sandbox: Flags.string({ description: 'Sandbox for the tasks.', options: ['bwrap', 'none'], default: 'bwrap' }),
    region: Flags.string({ description: 'Region the run is requested for (default: the workflow region); the residency pack checks it.' }),
    worker: Flags.string({ description: 'Internal: execute a published execution (used by --detach).', hidden: true }),
  };

  async run(): Promise<void> {
    const runner = await import('../src/runner/index.js');
    const { renderRun, renderTaskEvent } = await import('../src/cli/render-run.js');
    const session = await this.session();
    const { installRunHooks } = await import('../src/engine/index.js');
    await installRunHooks(session, this.flags.region === undefined ? {} : { region: this.flags.region });
    if (this.flags.worker) {
      await runner.executeExecution(session, this.flags.worker);
      return;
    }
    if (!this.args.manifest) {
      const { UsageError } = await import('../src/core/errors.js');
      throw new UsageError('MANIFEST_REQUIRED', 'name the manifest to run', { hint: 'maestro run <manifest.yaml>' });
    }
    const result = await runner.runManifest(session, {
      manifestPath: this.args.manifest,
      sandbox: this.flags.sandbox as 'bwrap' | 'none',
      detach: this.flags.detach,
      ...(this.jsonMode ? {} : { progress: (e) => this.note(renderTaskEvent(e)) }),
    });
    for (const w of result.warnings) this.note(`warning: ${w}`);
    if (result.record.status === 'denied' && !this.jsonMode) {
      this.note(`denied: ${result.record.reason ?? 'by policy'}`);
      this.emit(result.record, (r) => `execution ${r.id} denied`);
    } else {
      this.emit(result.record, renderRun);
    }
    this.finish(result.exitCode);
  }
}
