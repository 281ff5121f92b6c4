import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../src/cli/base-command.js';
import { renderBackup, renderBackupLine } from '../src/cli/render-backup.js';

const s3Flags = {
  endpoint: Flags.string({ description: 'S3-compatible endpoint URL (path-style), for s3:// targets.', helpValue: '<url>' }),
  region: Flags.string({ description: 'S3 region (default: AWS_REGION, else us-east-1).' }),
};

export default class Backup extends BaseCommand<typeof Backup> {
  static override summary = 'Back up the state home (online): database, keys (encrypted), pack signatures and every execution’s evidence.';
  static override description =
    'Incremental: files unchanged since the last backup at the same target are not copied again (content-addressed objects plus a manifest of digests per backup). ' +
    'Private keys and the token are stored only encrypted (scrypt + AES-256-GCM) under the passphrase from --passphrase-file or MAESTRO_BACKUP_PASSPHRASE. ' +
    'S3 credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. --watch repeats the backup every --every period until SIGTERM/SIGINT.';
  static override examples = [
    'MAESTRO_BACKUP_PASSPHRASE=... <%= config.bin %> backup --to /var/backups/maestro',
    '<%= config.bin %> backup --to s3://backups/maestro --endpoint http://127.0.0.1:9000 --passphrase-file pass.txt --json',
    '<%= config.bin %> backup --to /var/backups/maestro --watch --every 60s',
  ];
  static override flags = {
    to: Flags.string({ description: 'Where to back up: a directory or s3://bucket/prefix.', required: true, helpValue: '<dir|s3://bucket/prefix>' }),
    'passphrase-file': Flags.string({
      description: 'File holding the passphrase (or key material) that encrypts private keys (default: MAESTRO_BACKUP_PASSPHRASE).',
      helpValue: '<file>',
    }),
    watch: Flags.boolean({ description: 'Keep backing up every --every period until SIGTERM/SIGINT.', default: false }),
    every: Flags.string({ description: 'Period between backups with --watch (e.g. 60s, 5m).', default: '60s', dependsOn: ['watch'] }),
    'max-runs': Flags.integer({ description: 'With --watch: stop after this many backups.', min: 1, dependsOn: ['watch'] }),
    ...s3Flags,
  };

  async run(): Promise<void> {
    const { parseEvery, runBackup, watchBackups } = await import('../src/backup/index.js');
    const f = this.flags;
    const options = {
      to: f.to,
      ...(f['passphrase-file'] ? { passphraseFile: f['passphrase-file'] } : {}),
      s3: { ...(f.endpoint ? { endpoint: f.endpoint } : {}), ...(f.region ? { region: f.region } : {}) },
    };
    if (!f.watch) {
      this.emit(await runBackup(this.ctx, options), renderBackup);
      return;
    }
    const everyMs = parseEvery(f.every);
    const stop = new AbortController();
    const onSignal = (sig: string) => {
      this.note(`maestro: ${sig} received, stopping after the backup in progress`);
      stop.abort();
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
    const summary = await watchBackups(this.ctx, {
      ...options,
      everyMs,
      signal: stop.signal,
      ...(f['max-runs'] ? { maxRuns: f['max-runs'] } : {}),
      onResult: (r) => process.stdout.write(`${this.jsonMode ? JSON.stringify(r) : renderBackupLine(r)}\n`),
      onError: (err) => this.note(`maestro: backup failed (will retry in ${f.every}): ${err.message}`),
    });
    this.note(`maestro: ${summary.backups} backups made, ${summary.failures} failed`);
  }
}
