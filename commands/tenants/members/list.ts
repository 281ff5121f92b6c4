import * as Args from '@oclif/core/args';
import { BaseCommand, remoteFlag } from '../../../src/cli/base-command.js';
import { renderMembers } from '../../../src/cli/render-tenancy.js';

export default class MembersList extends BaseCommand<typeof MembersList> {
  static override summary = "List a tenant's members and their roles.";
  static override examples = ['<%= config.bin %> tenants members list acme --json'];
  static override args = { tenant: Args.string({ description: 'Tenant name or id.', required: true }) };

  static override flags = { ...remoteFlag };

  async run(): Promise<void> {
    this.emit(await (await this.api()).membersList(this.args.tenant), renderMembers);
  }
}
