import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, remoteFlag } from '../../../src/cli/base-command.js';
import { parseDuration } from '../../../src/cli/parse.js';
import { renderInvitation } from '../../../src/cli/render-tenancy.js';
import { ROLES } from '../../../src/index.js';

export default class MembersInvite extends BaseCommand<typeof MembersInvite> {
  static override summary = 'Issue a one-time, expiring enrolment code: the subject exchanges it for a token with `maestro login --remote URL --code X`.';
  static override description =
    'The code is shown once and stored only as a hash. Redeeming it makes the subject a member with the role and gives it a token. Needs members:manage on the tenant.';
  static override examples = [
    '<%= config.bin %> tenants members invite acme alice@acme.io operator',
    '<%= config.bin %> tenants members invite acme ci@acme.io viewer --ttl 1h --remote http://127.0.0.1:8080 --json',
  ];
  static override args = {
    tenant: Args.string({ description: 'Tenant name or id.', required: true }),
    subject: Args.string({ description: 'Subject (user or service identity).', required: true }),
    role: Args.string({ description: 'admin | operator | composer | viewer', required: true, options: [...ROLES] }),
  };
  static override flags = {
    ...remoteFlag,
    ttl: Flags.string({ description: 'How long the code stays valid: seconds, or 90m, 12h, 7d (at most 30d).', default: '24h' }),
  };

  async run(): Promise<void> {
    const api = await this.api();
    const inv = await api.membersInvite(this.args.tenant, this.args.subject, this.args.role, parseDuration(this.flags.ttl, '--ttl'));
    this.emit(inv, renderInvitation);
  }
}
