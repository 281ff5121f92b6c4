import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../../../src/cli/base-command.js';
import { EXIT } from '../../../src/core/errors.js';

export default class PolicyPacksDocs extends BaseCommand<typeof PolicyPacksDocs> {
  static override summary = 'Generate a README.md per pack from its annotations (title, summary, inputs, rules, examples).';
  static override description =
    "Writes each pack's README.md in its folder, or <out>/<id>/README.md with --out. With --check nothing is " +
    'written and the exit status is 1 when a README is stale.';
  static override examples = [
    '<%= config.bin %> policy packs docs',
    '<%= config.bin %> policy packs docs --out build/docs',
    '<%= config.bin %> policy packs docs --check',
  ];
  static override flags = {
    out: Flags.string({ description: 'Directory to write into (default: each pack folder).', helpValue: '<dir>' }),
    check: Flags.boolean({ description: 'Only report stale READMEs (exit 1 when any is stale).', default: false }),
  };

  async run(): Promise<void> {
    const { generateDocs } = await import('../../../src/policy/packs/index.js');
    const { renderDocs } = await import('../../../src/cli/render-packs.js');
    const result = generateDocs(this.ctx, { ...(this.flags.out !== undefined ? { out: this.flags.out } : {}), check: this.flags.check });
    this.emit(result, (r) => renderDocs(r, this.flags.check));
    if (this.flags.check && !result.upToDate) this.finish(EXIT.error);
  }
}
