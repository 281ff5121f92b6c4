import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../../src/cli/base-command.js';
import { renderKey } from '../../src/cli/render-disclose.js';

export default class KeysGenerate extends BaseCommand<typeof KeysGenerate> {
  static override summary = 'Generate an ECDSA P-256 signing key in the state home (private key mode 0600).';
  static override description = 'The key id is the hex sha256 of the DER public key; receipts and packs name it as their key hint.';
  static override examples = ['<%= config.bin %> keys generate --name ci', '<%= config.bin %> keys generate --name 2026 --default --json'];
  static override flags = {
    name: Flags.string({ description: 'Key name (letters, digits, ".", "_", "-"; default: key-<id prefix>).', helpValue: '<name>' }),
    default: Flags.boolean({ description: 'Make it the default key for new receipts and packs.', default: false }),
  };

  async run(): Promise<void> {
    this.requireLocal();
    const { generateKey } = await import('../../src/receipts/index.js');
    this.emit(generateKey(this.ctx, { ...(this.flags.name ? { name: this.flags.name } : {}), makeDefault: this.flags.default }), renderKey);
  }
}
