import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, formatFlag } from '../../src/cli/base-command.js';
import { createProgress, renderVerify } from '../../src/cli/render-disclose.js';

export default class DiscloseVerify extends BaseCommand<typeof DiscloseVerify> {
  static override summary = 'Verify a disclosure pack offline: zip structure, every entry against the signed index, and the receipt.';
  static override description =
    'Exits 0 only when every check passes; otherwise 1, naming the entry or signature that failed. ' +
    "Trusted keys: the state home's trusted list (maestro keys list; revoked keys fail), or exactly the --key files when given. Unsafe zips (path traversal, absolute paths, " +
    'duplicates, symlinks, entries not in the index, zip bombs) are refused before any data is read.';
  static override examples = ['<%= config.bin %> disclose verify pack.zip', '<%= config.bin %> disclose verify pack.zip --key pub.pem --json'];
  static override args = { pack: Args.string({ description: 'The pack (zip) to verify.', required: true }) };
  static override flags = {
    ...formatFlag,
    key: Flags.string({
      description: 'Trusted public key (PEM); repeatable (--key a.pem --key b.pem). Replaces the state home keys.',
      multiple: true,
      multipleNonGreedy: true,
      helpValue: '<pem>',
    }),
  };

  async run(): Promise<void> {
    // Without --key the trusted list of the state home's database is the trust anchor (ADR 0030).
    if (!this.flags.key) this.requireLocal();
    const { verifyDisclosure } = await import('../../src/engine/index.js');
    const progress = await createProgress({
      json: this.jsonMode || this.machineFormat !== undefined,
      quiet: this.flags.quiet,
      tty: process.stderr.isTTY === true,
      clock: this.ctx.clock,
    });
    try {
      const opts = { ...(this.flags.key ? { keyFiles: this.flags.key } : {}), onProgress: (e: Parameters<typeof progress.update>[0]) => progress.update(e) };
      const result = await verifyDisclosure(this.ctx, this.args.pack, opts);
      await progress.done();
      if (this.machineFormat) await this.emitFormat((await import('../../src/cli/formats/index.js')).fromVerify(result));
      else this.emit(result, renderVerify);
      this.finish(result.ok ? 0 : 1);
    } catch (err) {
      await progress.done();
      throw err;
    }
  }
}
