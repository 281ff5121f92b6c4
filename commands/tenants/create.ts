import * as Args from '@oclif/core/args';
import { BaseCommand, remoteFlag } from '../../src/cli/base-command.js';
import { renderTenant } from '../../src/cli/render-tenancy.js';
import { tenantSettingFlags, tenantSettings } from '../../src/cli/tenant-flags.js';

export default class TenantsCreate extends BaseCommand<typeof TenantsCreate> {
  static override summary = 'Create a tenant (admins of the default tenant only).';
  static override examples = ['<%= config.bin %> tenants create acme --daily-budget 500 --max-concurrent 25'];
  static override args = { name: Args.string({ description: 'Tenant name: lowercase letters, digits, dashes.', required: true }) };
  static override flags = {
    ...remoteFlag,
    ...tenantSettingFlags,
  };

  async run(): Promise<void> {
    this.emit(await (await this.api()).tenantsCreate(this.args.name, tenantSettings(this.flags)), renderTenant);
  }
}
