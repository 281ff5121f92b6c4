import { BaseCommand, remoteFlag } from '../../src/cli/base-command.js';
import { renderTenants } from '../../src/cli/render-tenancy.js';

export default class TenantsList extends BaseCommand<typeof TenantsList> {
  static override summary = 'List tenants (all of them for admins of the default tenant, else your own).';
  static override examples = ['<%= config.bin %> tenants list', '<%= config.bin %> tenants list --json'];

  static override flags = { ...remoteFlag };

  async run(): Promise<void> {
    this.emit(await (await this.api()).tenantsList(), renderTenants);
  }
}
