/**
 * The backup room's front door: online, incremental backups of a state home to a directory or S3,
 * restore into an empty home, and a watch loop for a bounded recovery point (ADR 0022).
 * @example
 *   const b = await runBackup(ctx, { to: '/var/backups/maestro', passphraseFile: 'pass.txt' });
 *   const r = await runRestore(newCtx, { from: '/var/backups/maestro', passphraseFile: 'pass.txt' });
 */
export { MAX_FILES, objectKey, runBackup } from './backup.js';
export type * from './backup.types.js';
export { BackupError, BackupNotFoundError, BackupUsageError } from './errors.js';
export { readLatest, readManifest } from './manifest.js';
export { runRestore } from './restore.js';
export { MAX_CONSECUTIVE_FAILURES, parseEvery, watchBackups } from './watch.js';
