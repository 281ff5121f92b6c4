import * as Args from '@oclif/core/args';
import { BaseCommand, formatFlag } from '../../src/cli/base-command.js';
import { EXIT } from '../../src/core/errors.js';

export default class ManifestValidate extends BaseCommand<typeof ManifestValidate> {
  static override summary = 'Check a Manifest v1 file and report every error with file, line, column and field.';
  static override description =
    'Validates against the JSON Schema (see `maestro manifest schema`), then checks task ids, needs, cycles, ' +
    'resource-class ceilings and the workspace. Exit 0 when valid, 2 when not, 5 when the file does not exist.';
  static override examples = [
    '<%= config.bin %> manifest validate fixtures/manifests/hello.yaml',
    '<%= config.bin %> manifest validate wf.yaml --json',
    '<%= config.bin %> manifest validate wf.yaml --format github',
  ];
  static override args = { file: Args.string({ description: 'Path of the manifest (YAML).', required: true }) };
  static override flags = { ...formatFlag };

  async run(): Promise<void> {
    const { validateManifestFile, validationReport } = await import('../../src/manifest/index.js');
    const { renderManifestErrors, renderManifestOk } = await import('../../src/cli/render-manifest.js');
    const result = await validateManifestFile(this.args.file, { cwd: this.ctx.cwd });
    if (this.machineFormat) await this.emitFormat((await import('../../src/cli/formats/index.js')).fromManifestValidation(result));
    else if (this.jsonMode) this.emit(validationReport(result), () => '');
    else if (result.valid) this.emit(result, renderManifestOk);
    else process.stderr.write(renderManifestErrors(result));
    this.finish(result.valid ? EXIT.ok : EXIT.usage);
  }
}
