/** Human output of `maestro backup` and `maestro restore`. */
import type { BackupResult, RestoreResult } from '../backup/index.js';
import { fields } from './render.js';

const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;

export function renderBackup(r: BackupResult): string {
  return fields([
    ['backup', r.id],
    ['target', r.target],
    ['parent', r.parent ?? '(none: full backup)'],
    ['recovery point', r.snapshotAt],
    ['files', `${r.files} (${r.filesCopied} copied, ${mib(r.bytesCopied)})`],
    ['executions', `${r.executions} (${r.executionsCopied} new or changed)`],
    ['secrets', `${r.secrets} (encrypted)`],
    ['database', `schema ${r.database.schemaVersion}, ${r.database.executions} executions, integrity ${r.database.integrity}`],
    ['took', `${r.seconds.toFixed(2)} s`],
  ]);
}

/** One line per backup in --watch mode. */
export function renderBackupLine(r: BackupResult): string {
  return `${r.createdAt} backup ${r.id}: ${r.files} files (${r.filesCopied} copied, ${mib(r.bytesCopied)}), ${r.executions} executions (${r.executionsCopied} changed), recovery point ${r.snapshotAt}, ${r.seconds.toFixed(2)} s`;
}

export function renderRestore(r: RestoreResult): string {
  return fields([
    ['restored', r.home],
    ['backup', r.backupId],
    ['recovery point', r.snapshotAt],
    ['files', `${r.files} (${mib(r.bytes)}), every sha256 verified`],
    ['executions', String(r.executions)],
    ['secrets', `${r.secrets} (decrypted, verified)`],
    ['database', `schema ${r.database.schemaVersion}, ${r.database.executions} executions, integrity ${r.database.integrity}`],
    ['took', `${r.seconds.toFixed(2)} s`],
  ]);
}
