import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../../src/cli/base-command.js';

export default class KeysExportPublic extends BaseCommand<typeof KeysExportPublic> {
  static override summary = 'Print (or write) a public key as PEM, for `disclose verify --key` or cosign.';
  static override examples = [
    '<%= config.bin %> keys export-public -o pub.pem',
    '<%= config.bin %> keys export-public --id ci',
    '<%= config.bin %> keys export-public --json',
  ];
  static override flags = {
    id: Flags.string({ description: 'Key name, id or id prefix (default: the default key).', helpValue: '<key>' }),
    output: Flags.string({ char: 'o', description: 'Write the PEM to this file instead of stdout.', helpValue: '<file>' }),
  };

  async run(): Promise<void> {
    this.requireLocal();
    const { ensureSigningKey, readPublicKeyPem } = await import('../../src/receipts/index.js');
    if (!this.flags.id) ensureSigningKey(this.ctx); // the default receipt key exists from first use
    const { info, pem } = readPublicKeyPem(this.ctx, this.flags.id);
    const path = this.flags.output ? resolve(this.ctx.cwd, this.flags.output) : undefined;
    if (path) writeFileSync(path, pem, { mode: 0o644 });
    this.emit({ id: info.id, name: info.name, ...(path ? { path } : {}), pem }, (r) => (path ? `wrote public key ${r.id} (${r.name}) to ${path}` : r.pem));
  }
}
