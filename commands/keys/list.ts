import { BaseCommand } from '../../src/cli/base-command.js';
import { renderTrustedKeys } from '../../src/cli/render-disclose.js';

export default class KeysList extends BaseCommand<typeof KeysList> {
  static override summary = 'List the trusted receipt-signing keys: this home’s keys first, then those other workers enrolled, with their status.';
  static override description =
    'The trusted list lives in the database that every replica and worker shares (ADR 0030); `disclose verify` trusts exactly it. ' +
    'This home’s keys are enrolled on first use; a revoked key stays listed as revoked.';
  static override examples = ['<%= config.bin %> keys list', '<%= config.bin %> keys list --json'];

  async run(): Promise<void> {
    const session = await this.session();
    const { listTrustedKeys } = await import('../../src/engine/index.js');
    this.emit(await listTrustedKeys(session), renderTrustedKeys);
  }
}
