import { BaseCommand } from '../../src/cli/base-command.js';
import { renderKeys } from '../../src/cli/render-disclose.js';

export default class KeysList extends BaseCommand<typeof KeysList> {
  static override summary = 'List the signing keys of the state home: id, name, created, default.';
  static override examples = ['<%= config.bin %> keys list', '<%= config.bin %> keys list --json'];

  async run(): Promise<void> {
    this.requireLocal();
    const { listKeys } = await import('../../src/receipts/index.js');
    this.emit(listKeys(this.ctx), renderKeys);
  }
}
