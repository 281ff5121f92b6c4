import { BaseCommand } from '../src/cli/base-command.js';

export default class Init extends BaseCommand<typeof Init> {
  static override summary = 'Create the state home (database, default tenant, keys, local identity). Idempotent.';
  static override examples = ['<%= config.bin %> init', 'MAESTRO_HOME=/tmp/mh <%= config.bin %> init --json'];

  async run(): Promise<void> {
    const { openStore } = await import('../src/store/index.js');
    const s = openStore(this.ctx);
    this.emit({ home: this.ctx.home, db: s.path }, (r) => `initialised ${r.home}`);
    s.close();
  }
}
