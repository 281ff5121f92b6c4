import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';

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
  ];
  static override args = { manifest: Args.string({ description: 'Path of the manifest (YAML).', required: true }) };
  static override flags = {
    prices: Flags.string({ description: 'A price table (JSON) overlaid on the built-in and state-home tables.', helpValue: '<file>' }),
  };

  async run(): Promise<void> {
    const { planManifest } = await import('../src/cost/index.js');
    const { renderPlan } = await import('../src/cli/render-cost.js');
    const session = await this.session();
    const plan = await planManifest(session, this.args.manifest, this.flags.prices === undefined ? {} : { prices: this.flags.prices });
    this.emit(plan, renderPlan);
  }
}
