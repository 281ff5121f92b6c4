import * as Args from '@oclif/core/args';
import { BaseCommand, remoteFlag } from '../../src/cli/base-command.js';
import { renderTenant } from '../../src/cli/render-tenancy.js';
import { tenantSettingFlags, tenantSettings } from '../../src/cli/tenant-flags.js';

export default class TenantsSet extends BaseCommand<typeof TenantsSet> {
  static override summary = "Change a tenant's daily budget, concurrency quota, day time zone or sandbox requirement.";
  static override examples = [
    '<%= config.bin %> tenants set acme --daily-budget 750',
    '<%= config.bin %> tenants set acme --max-concurrent 10 --day-timezone America/Denver',
  ];
  static override args = { tenant: Args.string({ description: 'Tenant name or id.', required: true }) };
  static override flags = {
    ...remoteFlag,
    ...tenantSettingFlags,
  };

  async run(): Promise<void> {
    this.emit(await (await this.api()).tenantsSet(this.args.tenant, tenantSettings(this.flags)), renderTenant);
  }
}
