import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';

export default class PolicyFmt extends BaseCommand<typeof PolicyFmt> {
  static override summary = 'Format Rego exactly as `opa fmt` does; print, --diff, --check or -w.';
  static override description =
    'Without flags each file is printed formatted (stdin when no path is given). --diff prints a unified diff of what would change; --check (opa fmt -l --fail) lists the files that would change and exits 2 if any; -w rewrites them in place. Directories are walked for .rego files. A file that does not parse is an error with file:line:col.';
  static override examples = [
    '<%= config.bin %> policy fmt policies/quota/policy.rego',
    '<%= config.bin %> policy fmt --check policies/',
    '<%= config.bin %> policy fmt --diff policies/',
    '<%= config.bin %> policy fmt -w policies/',
  ];
  static override strict = false;
  static override args = { path: Args.string({ description: 'Files or directories (default: stdin).', required: false, ignoreStdin: true }) };
  static override flags = {
    diff: Flags.boolean({
      char: 'd',
      description: 'Print a unified diff of the changes instead of the formatted text.',
      default: false,
      exclusive: ['check', 'write'],
    }),
    check: Flags.boolean({ description: 'List files that would change; exit 2 if any (as opa fmt -l --fail).', default: false, exclusive: ['write'] }),
    list: Flags.boolean({ char: 'l', description: 'List files that would change (as opa fmt -l).', default: false }),
    write: Flags.boolean({ char: 'w', description: 'Rewrite files in place.', default: false }),
    fail: Flags.boolean({ description: 'Exit 2 when a file would change (as opa fmt --fail).', default: false }),
  };

  async run(): Promise<void> {
    const { formatFiles } = await import('../../src/policy/index.js');
    const { renderFormatReport } = await import('../../src/cli/render-policy-tools.js');
    const { argv } = await this.parse(PolicyFmt);
    const f = this.flags;
    const paths = argv as string[];
    const mode = f.write ? 'write' : f.diff ? 'diff' : f.check || f.list ? 'check' : 'print';
    const stdin = paths.length === 0 ? await readStdin() : undefined;
    const report = formatFiles({ paths, mode, cwd: this.ctx.cwd, ...(stdin !== undefined ? { stdin } : {}) });
    this.emit(report, renderFormatReport);
    this.finish((f.check || f.fail) && report.changed > 0 ? 2 : 0);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
