import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../src/cli/base-command.js';
import { parseDuration } from '../src/cli/parse.js';
import { renderLogin, renderRemoteLogin } from '../src/cli/render-tenancy.js';

export default class Login extends BaseCommand<typeof Login> {
  static override summary = 'Get an identity token: locally for a member of a tenant, or from a remote control plane with an enrolment code.';
  static override description =
    'Local: the engine signs the token (ES256 JWT with sub and tenant_id) with its own key and stores it in the state home (0600). ' +
    'Remote: `--remote URL --code X` exchanges a one-time code (from `maestro tenants members invite`) at the server for a token, ' +
    'stored for that remote (<home>/remotes/, 0600) until it expires. MAESTRO_TOKEN overrides stored tokens.';
  static override examples = [
    '<%= config.bin %> login --remote https://maestro.example:8080 --code mce_…',
    '<%= config.bin %> login --tenant acme --subject alice@acme.io',
    'export MAESTRO_TOKEN=$(<%= config.bin %> login --tenant acme --subject ci@acme.io --ttl 1h --print)',
  ];
  static override flags = {
    remote: Flags.string({ description: 'Control plane URL to log in to (with --code).', env: 'MAESTRO_URL' }),
    code: Flags.string({ description: 'One-time enrolment code from an admin (maestro tenants members invite).', dependsOn: ['remote'] }),
    tenant: Flags.string({ char: 't', description: 'Tenant name or id (local login).', exclusive: ['code'] }),
    subject: Flags.string({ char: 's', description: 'Subject (user or service identity) (local login).', exclusive: ['code'] }),
    ttl: Flags.string({ description: 'Token lifetime: seconds, or 90m, 12h, 7d.', default: '12h' }),
    print: Flags.boolean({ description: 'Print the token on stdout instead of storing it.', default: false }),
  };

  async run(): Promise<void> {
    const { UsageError } = await import('../src/core/errors.js');
    const f = this.flags;
    const ttlSec = parseDuration(f.ttl, '--ttl');
    if (f.code) {
      const { loginRemote } = await import('../src/client/login.js');
      const result = await loginRemote(this.ctx, { remote: f.remote!, code: f.code, ttlSec, print: f.print });
      this.emit(result, renderRemoteLogin);
      return;
    }
    if (f.remote) {
      throw new UsageError('CODE_REQUIRED', `logging in to ${f.remote} needs an enrolment code (MAESTRO_URL or --remote is set); nothing was created`, {
        hint: `maestro login --remote ${f.remote} --code <code>; an admin issues one with: maestro tenants members invite <tenant> <subject> <role>`,
      });
    }
    if (!f.tenant || !f.subject) {
      throw new UsageError('LOGIN_ARGS', 'name the tenant and subject (local login), or give --remote URL --code X', {
        hint: 'maestro login --tenant acme --subject alice@acme.io',
      });
    }
    const { login } = await import('../src/index.js');
    this.emit(await login(this.ctx, { tenant: f.tenant, subject: f.subject, ttlSec, print: f.print }), renderLogin);
  }
}
