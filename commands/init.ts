import { BaseCommand } from '../src/cli/base-command.js';
import { fields } from '../src/cli/render.js';
import { ensureInitialized } from '../src/index.js';

export default class Init extends BaseCommand<typeof Init> {
  static override summary = 'Create the state home: database, default tenant, keys and a local admin identity. Idempotent.';
  static override description = 'The state home is $MAESTRO_HOME, else ~/.maestro. Every other command does this on first use too.';
  static override examples = ['<%= config.bin %> init', 'MAESTRO_HOME=/tmp/mh <%= config.bin %> init --json'];

  async run(): Promise<void> {
    this.requireLocal();
    const result = await ensureInitialized(this.ctx);
    this.emit(result, (r) =>
      fields([
        ['state home', `${r.home}${r.created ? ' (created)' : ' (already initialised)'}`],
        ['database', r.database],
        ['tenant', r.tenant],
        ['identity', `${r.subject} (admin)`],
        ['token', r.tokenPath],
      ]),
    );
  }
}
