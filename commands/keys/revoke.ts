import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../../src/cli/base-command.js';
import { renderRevokedKey } from '../../src/cli/render-disclose.js';

export default class KeysRevoke extends BaseCommand<typeof KeysRevoke> {
  static override summary = 'Revoke a trusted receipt-signing key for every replica (platform admins only).';
  static override description =
    'Every signature by a revoked key then fails verification, including those made before the revocation: our bundles carry ' +
    'no trusted timestamp, so the signing time cannot be proven (ADR 0030). Revoking twice keeps the first revocation.';
  static override examples = ['<%= config.bin %> keys revoke 3f1c9a0b', '<%= config.bin %> keys revoke 3f1c9a0b --reason "worker w2 decommissioned" --json'];
  static override args = { id: Args.string({ description: 'Key id, or a unique prefix of 8+ hex characters.', required: true }) };
  static override flags = {
    reason: Flags.string({ description: 'Why (shown by keys list and by failed verifications).', helpValue: '<text>' }),
  };

  async run(): Promise<void> {
    const session = await this.session();
    const { revokeKey } = await import('../../src/engine/index.js');
    this.emit(revokeKey(session, this.args.id, this.flags.reason), renderRevokedKey);
  }
}
