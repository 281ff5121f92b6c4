import { BaseCommand } from '../../src/cli/base-command.js';

export default class ManifestSchema extends BaseCommand<typeof ManifestSchema> {
  static override summary = 'Print the Manifest v1 JSON Schema (draft 2020-12).';
  static override description = "The same JSON document with or without --json; point your editor's YAML language server at it.";
  static override examples = ['<%= config.bin %> manifest schema > maestro-manifest.schema.json', '<%= config.bin %> manifest schema --json'];

  async run(): Promise<void> {
    const { manifestSchema } = await import('../../src/manifest/index.js');
    const schema = manifestSchema();
    this.emit(schema, (s) => JSON.stringify(s, null, 2));
  }
}
