import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../../../src/cli/base-command.js';

export default class PolicyPacksSign extends BaseCommand<typeof PolicyPacksSign> {
  static override summary = "Sign a pack's digest (sigstore DSSE bundle) with the engine's key or --key.";
  static override description =
    'Writes $MAESTRO_HOME/pack-signatures/<id>.sig.json, a sigstore bundle v0.3 whose DSSE envelope carries an ' +
    "in-toto statement over the pack digest. With --key (a PEM ECDSA P-256 private key) that key's public key " +
    'becomes trusted for packs in this state home. Needs the "policy:manage" permission.';
  static override examples = ['<%= config.bin %> policy packs sign budget', '<%= config.bin %> policy packs sign budget --key release.pem'];
  static override args = { id: Args.string({ description: 'Pack id.', required: true }) };
  static override flags = { key: Flags.string({ description: 'PEM private key (ECDSA P-256) to sign with.', helpValue: '<pem>' }) };

  async run(): Promise<void> {
    const { signPackOp } = await import('../../../src/policy/packs/index.js');
    const { renderPackSignature } = await import('../../../src/cli/render-packs.js');
    const session = await this.session();
    this.emit(await signPackOp(session, this.args.id, this.flags.key === undefined ? {} : { key: this.flags.key }), renderPackSignature);
  }
}
