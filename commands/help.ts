import * as Args from '@oclif/core/args';
import { Command } from '@oclif/core/command';
import { loadHelpClass } from '@oclif/core/help';

/** `maestro help [command...]`: the same help as `maestro <command> --help` (or -h). */
export default class Help extends Command {
  static override summary = 'Show help for maestro or for one command (same as --help or -h).';
  static override examples = ['<%= config.bin %> help', '<%= config.bin %> help run', '<%= config.bin %> help policy packs list'];
  static override strict = false;
  static override args = { command: Args.string({ description: 'The command (words separated by spaces).', required: false }) };

  async run(): Promise<void> {
    const { argv } = await this.parse(Help);
    const HelpClass = await loadHelpClass(this.config);
    const help = new HelpClass(this.config, this.config.pjson.oclif.helpOptions ?? this.config.pjson.helpOptions);
    await help.showHelp(argv as string[]);
  }
}
