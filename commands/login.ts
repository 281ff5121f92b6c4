import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../src/cli/base-command.js';
import { renderLogin } from '../src/cli/render-tenancy.js';
import { login } from '../src/index.js';
import { parseDuration } from '../src/cli/parse.js';

export default class Login extends BaseCommand<typeof Login> {
  static override summary = 'Get an identity token for a member of a tenant (stored in the state home, mode 0600).';
  static override description = 'The engine signs the token (ES256 JWT with sub and tenant_id) with its own key. MAESTRO_TOKEN overrides the stored token.';
  static override examples = [
    '<%= config.bin %> login --tenant acme --subject alice@acme.io',
    'export MAESTRO_TOKEN=$(<%= config.bin %> login --tenant acme --subject ci@acme.io --ttl 1h --print)',
  ];
  static override flags = {
    tenant: Flags.string({ char: 't', description: 'Tenant name or id.', required: true }),
    subject: Flags.string({ char: 's', description: 'Subject (user or service identity).', required: true }),
    ttl: Flags.string({ description: 'Token lifetime: seconds, or 90m, 12h, 7d.', default: '12h' }),
    print: Flags.boolean({ description: 'Print the token on stdout instead of storing it.', default: false }),
  };

  async run(): Promise<void> {
    const result = await login(this.ctx, {
      tenant: this.flags.tenant,
      subject: this.flags.subject,
      ttlSec: parseDuration(this.flags.ttl, '--ttl'),
      print: this.flags.print,
    });
    this.emit(result, renderLogin);
  }
}
