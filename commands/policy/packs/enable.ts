import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../../../src/cli/base-command.js';

export default class PolicyPacksEnable extends BaseCommand<typeof PolicyPacksEnable> {
  static override summary = 'Enable a policy pack for a tenant (tenant:manage or policy:manage; any tenant for an admin of "default").';
  static override examples = [
    '<%= config.bin %> policy packs enable budget --tenant acme',
    `<%= config.bin %> policy packs enable residency --tenant acme --config '{"allowedRegions":{"acme":["EU"]}}'`,
  ];
  static override args = { id: Args.string({ description: 'Pack id.', required: true }) };
  static override flags = {
    tenant: Flags.string({ description: "Tenant name or id (default: the caller's tenant)." }),
    config: Flags.string({ description: 'JSON object placed at data.maestro.config.<pack> for this tenant.', helpValue: '<json>' }),
  };

  async run(): Promise<void> {
    const { setPackEnabled } = await import('../../../src/policy/packs/index.js');
    const { renderPackChoice } = await import('../../../src/cli/render-packs.js');
    const session = await this.session();
    const opts = {
      enabled: true,
      ...(this.flags.tenant !== undefined ? { tenant: this.flags.tenant } : {}),
      ...(this.flags.config !== undefined ? { config: this.flags.config } : {}),
    };
    this.emit(setPackEnabled(session, this.args.id, opts), renderPackChoice);
  }
}
