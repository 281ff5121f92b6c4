import { BaseCommand, remoteFlag } from '../src/cli/base-command.js';
import { whoamiBody } from '../src/cli/hot-commands.js';

export default class WhoAmICommand extends BaseCommand<typeof WhoAmICommand> {
  static override summary = 'Show who you are: subject, tenant, roles, quota and budget use.';
  static override examples = ['<%= config.bin %> whoami', '<%= config.bin %> whoami --json'];

  static override flags = { ...remoteFlag };

  async run(): Promise<void> {
    await whoamiBody(this.runtime);
  }
}
