import * as Args from '@oclif/core/args';
import { BaseCommand, remoteFlag } from '../../../src/cli/base-command.js';

export default class PolicyPacksShow extends BaseCommand<typeof PolicyPacksShow> {
  static override summary = 'Show one policy pack: metadata, digest, signature, the inputs it reads, its rules and examples.';
  static override examples = ['<%= config.bin %> policy packs show budget', '<%= config.bin %> policy packs show residency --json'];
  static override args = { id: Args.string({ description: 'Pack id (see policy packs list).', required: true }) };

  static override flags = { ...remoteFlag };

  async run(): Promise<void> {
    const { renderPackDetail } = await import('../../../src/cli/render-packs.js');
    this.emit(await (await this.api()).packsShow(this.args.id), renderPackDetail);
  }
}
