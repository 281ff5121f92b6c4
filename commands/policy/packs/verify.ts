import * as Args from '@oclif/core/args';
import { BaseCommand } from '../../../src/cli/base-command.js';
import { EXIT } from '../../../src/core/errors.js';

export default class PolicyPacksVerify extends BaseCommand<typeof PolicyPacksVerify> {
  static override summary = 'Verify a pack against its signature: exit 0 when valid, 1 when invalid or unsigned.';
  static override examples = ['<%= config.bin %> policy packs verify budget', '<%= config.bin %> policy packs verify budget --json'];
  static override args = { id: Args.string({ description: 'Pack id.', required: true }) };

  async run(): Promise<void> {
    const { verifyPackOp } = await import('../../../src/policy/packs/index.js');
    const { renderPackSignature } = await import('../../../src/cli/render-packs.js');
    const session = await this.session();
    const result = await verifyPackOp(session, this.args.id);
    this.emit(result, renderPackSignature);
    if (!result.valid) {
      this.note(`maestro: pack ${result.id} ${result.signature === 'unsigned' ? 'is not signed' : 'failed verification'}: ${result.detail}`);
      this.finish(EXIT.error);
    }
  }
}
