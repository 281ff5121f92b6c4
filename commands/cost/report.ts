import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';

export default class CostReport extends BaseCommand<typeof CostReport> {
  static override summary = 'Estimate accuracy: executions compared, share within ±10% of actual, median/p95 drift, worst offenders.';
  static override description =
    'Drift per execution is (actual − estimate) / actual. Prints an ALERT line when fewer than 95% of the ' +
    'executions in the period landed within ±10%. Another tenant than your own needs the platform admin.';
  static override examples = [
    '<%= config.bin %> cost report',
    '<%= config.bin %> cost report --since 24h --json',
    '<%= config.bin %> cost report --tenant acme',
  ];
  static override flags = {
    since: Flags.string({ description: 'Period start: a duration (90m, 36h, 7d, 2w) or an ISO date.', default: '7d' }),
    tenant: Flags.string({ description: 'Tenant name or id (default: yours).' }),
    worst: Flags.integer({ description: 'How many worst offenders to list.', default: 5, min: 0 }),
  };

  async run(): Promise<void> {
    const { costReport } = await import('../../src/cost/index.js');
    const { renderCostReport } = await import('../../src/cli/render-cost.js');
    const session = await this.session();
    const report = costReport(session, { since: this.flags.since, worst: this.flags.worst, ...(this.flags.tenant ? { tenant: this.flags.tenant } : {}) });
    this.emit(report, renderCostReport);
  }
}
