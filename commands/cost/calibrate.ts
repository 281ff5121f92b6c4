import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';

export default class CostCalibrate extends BaseCommand<typeof CostCalibrate> {
  static override summary = 'Refit time guesses and per-kind correction factors from recorded runs; show accuracy before and after.';
  static override description =
    'Replays the recorded history in time order (each execution estimated only from the runs before it) with the ' +
    'current factors and with the refitted ones, and saves the refit when it is at least as accurate. The factors are machine-wide: only an admin of the default tenant may run it.';
  static override examples = ['<%= config.bin %> cost calibrate', '<%= config.bin %> cost calibrate --dry-run --json'];
  static override flags = {
    'dry-run': Flags.boolean({ description: 'Show the refit and its accuracy without saving it.', default: false }),
    prices: Flags.string({ description: 'A price table (JSON) overlaid on the built-in and state-home tables.', helpValue: '<file>' }),
  };

  async run(): Promise<void> {
    const { calibrateCosts } = await import('../../src/cost/index.js');
    const { renderCalibration } = await import('../../src/cli/render-cost.js');
    const session = await this.session();
    const result = calibrateCosts(session, { dryRun: this.flags['dry-run'], ...(this.flags.prices ? { prices: this.flags.prices } : {}) });
    this.emit(result, renderCalibration);
  }
}
