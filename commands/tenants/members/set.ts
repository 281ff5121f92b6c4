import * as Args from '@oclif/core/args';
import { BaseCommand, remoteFlag } from '../../../src/cli/base-command.js';
import { renderMember } from '../../../src/cli/render-tenancy.js';
import { ROLES } from '../../../src/index.js';

export default class MembersSet extends BaseCommand<typeof MembersSet> {
  static override summary = "Add a member to a tenant or change a member's role (upsert).";
  static override description =
    `Roles: ${ROLES.join(', ')}. viewer reads; composer also plans and validates; operator also runs and cancels; admin manages the tenant, members, budgets and quotas.`;
  static override examples = ['<%= config.bin %> tenants members set acme alice@acme.io operator'];
  static override args = {
    tenant: Args.string({ description: 'Tenant name or id.', required: true }),
    subject: Args.string({ description: 'Subject (user or service identity).', required: true }),
    role: Args.string({ description: 'admin | operator | composer | viewer', required: true, options: [...ROLES] }),
  };

  static override flags = { ...remoteFlag };

  async run(): Promise<void> {
    this.emit(await (await this.api()).membersSet(this.args.tenant, this.args.subject, this.args.role), renderMember);
  }
}
