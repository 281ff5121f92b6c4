import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../src/cli/base-command.js';
import { renderRestore } from '../src/cli/render-backup.js';

export default class Restore extends BaseCommand<typeof Restore> {
  static override summary = 'Restore a state home from a backup, into an empty state home only, verifying every digest.';
  static override description =
    'Restores the latest backup at --from (or --backup <id>) into MAESTRO_HOME, which must not exist or be empty. ' +
    'Every file is checked against its recorded sha256, keys are decrypted with the backup passphrase, the database is integrity-checked; ' +
    'the home appears only when all of it verified.';
  static override examples = ['MAESTRO_HOME=/srv/maestro-new <%= config.bin %> restore --from /var/backups/maestro --passphrase-file pass.txt'];
  static override flags = {
    from: Flags.string({ description: 'Where the backups are: a directory or s3://bucket/prefix.', required: true, helpValue: '<dir|s3://bucket/prefix>' }),
    backup: Flags.string({ description: 'The backup to restore (default: the latest).', helpValue: '<id>' }),
    'passphrase-file': Flags.string({ description: 'File holding the backup passphrase (default: MAESTRO_BACKUP_PASSPHRASE).', helpValue: '<file>' }),
    endpoint: Flags.string({ description: 'S3-compatible endpoint URL (path-style), for s3:// sources.', helpValue: '<url>' }),
    region: Flags.string({ description: 'S3 region (default: AWS_REGION, else us-east-1).' }),
  };

  async run(): Promise<void> {
    const { runRestore } = await import('../src/backup/index.js');
    const f = this.flags;
    const result = await runRestore(this.ctx, {
      from: f.from,
      ...(f.backup ? { backup: f.backup } : {}),
      ...(f['passphrase-file'] ? { passphraseFile: f['passphrase-file'] } : {}),
      s3: { ...(f.endpoint ? { endpoint: f.endpoint } : {}), ...(f.region ? { region: f.region } : {}) },
    });
    this.emit(result, renderRestore);
  }
}
