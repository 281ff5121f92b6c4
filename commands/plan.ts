import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, formatFlag, remoteFlag } from '../src/cli/base-command.js';

export default class Plan extends BaseCommand<typeof Plan> {
  static override summary = 'Show the execution plan of a manifest and its estimated cost, with the basis of every figure.';
  static override description =
    'Tasks in topological order with their resource requests, per-task and total estimatedCostUSD (micro-dollar ' +
    'precision), the prices applied and each time guess with its source: history (median of the last runs of the ' +
    'same task digest, p90 as the high figure), declared (resources.expectedSec) or default (per resource class). ' +
    'Prices: built-in table, overlaid by $MAESTRO_HOME/prices.json, then by --prices. Needs the "plan" permission.';
  static override examples = [
    '<%= config.bin %> plan fixtures/manifests/build-test-report.yaml',
    '<%= config.bin %> plan wf.yaml --json',
    '<%= config.bin %> plan wf.yaml --prices my-prices.json',
    '<%= config.bin %> plan wf.yaml --explain',
  ];
  static override args = { manifest: Args.string({ description: 'Path of the manifest (YAML).', required: true }) };
  static override flags = {
    ...remoteFlag,
    ...formatFlag,
    prices: Flags.string({ description: 'A price table (JSON) overlaid on the built-in and state-home tables.', helpValue: '<file>' }),
    explain: Flags.boolean({ description: 'Show the policy rules that fired, their values and file:line, and the budget context.', default: false }),
    region: Flags.string({ description: 'Region the run is requested for (default: the workflow region).' }),
  };

  async run(): Promise<void> {
    const { renderPlanWithPolicy } = await import('../src/cli/render-engine.js');
    const api = await this.api();
    const result = await api.plan({
      manifestPath: this.args.manifest,
      explain: this.flags.explain,
      ...(this.flags.prices === undefined ? {} : { prices: this.flags.prices }),
      ...(this.flags.region === undefined ? {} : { region: this.flags.region }),
    });
    if (this.machineFormat) await this.emitFormat((await import('../src/cli/formats/index.js')).fromDecision(result.policy));
    else this.emit(result, (r) => renderPlanWithPolicy(r, this.flags.explain));
    if (!result.allow) this.finish(3);
  }
}
