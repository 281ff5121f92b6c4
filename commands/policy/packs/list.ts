import { BaseCommand, remoteFlag } from '../../../src/cli/base-command.js';

export default class PolicyPacksList extends BaseCommand<typeof PolicyPacksList> {
  static override summary = 'List the policy packs: id, version, title, digest, signature status and whether your tenant has each enabled.';
  static override description =
    'Shipped packs come from the package (or $MAESTRO_PACKS_DIR) and are enabled by default; local packs under ' +
    '$MAESTRO_HOME/policies are disabled until enabled. The digest is a sha256 over the canonical form of the ' +
    "pack's files; signature is valid, invalid (the pack will be refused) or unsigned.";
  static override examples = ['<%= config.bin %> policy packs list', '<%= config.bin %> policy packs list --json'];

  static override flags = { ...remoteFlag };

  async run(): Promise<void> {
    const { renderPackList } = await import('../../../src/cli/render-packs.js');
    this.emit(await (await this.api()).packsList(), renderPackList);
  }
}
