import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../../../src/cli/base-command.js';

export default class PolicyPacksDisable extends BaseCommand<typeof PolicyPacksDisable> {
  static override summary = 'Disable a policy pack for a tenant (tenant:manage or policy:manage; any tenant for an admin of "default").';
  static override examples = ['<%= config.bin %> policy packs disable budget --tenant acme'];
  static override args = { id: Args.string({ description: 'Pack id.', required: true }) };
  static override flags = {
    tenant: Flags.string({ description: "Tenant name or id (default: the caller's tenant)." }),
  };

  async run(): Promise<void> {
    const { setPackEnabled } = await import('../../../src/policy/packs/index.js');
    const { renderPackChoice } = await import('../../../src/cli/render-packs.js');
    const session = await this.session();
    const opts = { enabled: false, ...(this.flags.tenant !== undefined ? { tenant: this.flags.tenant } : {}) };
    this.emit(setPackEnabled(session, this.args.id, opts), renderPackChoice);
  }
}
