/**
 * `maestro restore`: rebuild a state home from a backup, into an EMPTY home only. Everything is
 * written to a staging folder beside the home, each file checked against its recorded sha256 (secrets
 * decrypted and checked too, the database integrity-checked), and the staging folder is renamed into
 * place only when all of it verified: a failed restore leaves nothing behind.
 */

import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Context } from '../core/context.js';
import { sha256File } from '../receipts/index.js';
import { checkDatabaseFile, requireSqliteStore } from '../store/index.js';
import { executionOf, objectKey } from './backup.js';
import type { BackupManifest, RestoreOptions, RestoreResult } from './backup.types.js';
import { BackupError, BackupNotFoundError, BackupUsageError } from './errors.js';
import { readLatest, readManifest } from './manifest.js';
import { mapLimit } from './pool.js';
import { deriveKey, open, readPassphrase } from './secrets.js';
import { type BackupTarget, openTarget } from './target.js';

const CONCURRENCY = 8;

/**
 * Restore the latest (or the named) backup from `options.from` into ctx.home, which must be empty.
 * @example const r = await runRestore(ctx, { from: '/var/backups/maestro', passphraseFile: 'pass.txt' });
 */
export async function runRestore(ctx: Context, options: RestoreOptions): Promise<RestoreResult> {
  requireSqliteStore(ctx, 'maestro restore');
  const started = ctx.clock.now();
  const home = ctx.home;
  refuseNonEmpty(home);
  const target = await openTarget(ctx, options.from, options.s3 ?? {}, false);
  try {
    const manifest = options.backup ? await readManifest(target, options.backup) : await readLatest(target);
    if (!manifest)
      throw new BackupNotFoundError('BACKUP_NOT_FOUND', `no backup in ${target.url} (no LATEST)`, { hint: 'maestro backup --to <the same place> makes one' });
    const passphrase = readPassphrase(ctx, options.passphraseFile);
    if (manifest.secrets.length > 0 && !passphrase) {
      throw new BackupUsageError('BACKUP_PASSPHRASE_REQUIRED', `backup ${manifest.id} holds encrypted keys: no passphrase given`, {
        hint: 'pass --passphrase-file <file> or set MAESTRO_BACKUP_PASSPHRASE',
      });
    }
    mkdirSync(dirname(home), { recursive: true });
    const staging = join(dirname(home), `.${basename(home)}.restoring.${process.pid}.${ctx.random.uuid()}.tmp`);
    mkdirSync(staging, { mode: 0o700 });
    try {
      const counts = await restoreInto(staging, manifest, target, passphrase);
      refuseNonEmpty(home); // nobody wrote into it meanwhile
      if (existsSync(home)) rmdirSync(home);
      renameSync(staging, home);
      return {
        home,
        backupId: manifest.id,
        snapshotAt: manifest.snapshotAt,
        ...counts,
        verified: true,
        seconds: (ctx.clock.now() - started) / 1000,
      };
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      throw err;
    }
  } finally {
    target.close();
  }
}

function refuseNonEmpty(home: string): void {
  if (!existsSync(home)) return;
  if (!statSync(home).isDirectory())
    throw new BackupUsageError('RESTORE_HOME_NOT_EMPTY', `${home} exists and is not a directory`, { hint: 'set MAESTRO_HOME to a new, empty directory' });
  const entries = readdirSync(home);
  if (entries.length > 0) {
    throw new BackupUsageError(
      'RESTORE_HOME_NOT_EMPTY',
      `the state home ${home} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, e.g. ${entries.sort()[0]}): restore writes only into an empty state home`,
      {
        hint: 'set MAESTRO_HOME to a new directory, or move this one away first',
      },
    );
  }
}

async function restoreInto(dir: string, m: BackupManifest, target: BackupTarget, passphrase: Buffer | null) {
  // The database first: a backup whose database is damaged is refused before anything else is fetched.
  const db = join(dir, 'maestro.db');
  await fetchVerified(target, m.database.sha256, m.database.size, db, 'the database');
  chmodSync(db, 0o600);
  const facts = checkDatabaseFile(db);
  if (!facts.ok) throw new BackupError('RESTORE_DB_CORRUPT', `backup ${m.id}: the database fails its integrity check: ${facts.integrity}`);
  let bytes = m.database.size;
  await mapLimit(m.files, CONCURRENCY, async (f) => {
    const path = join(dir, ...f.path.split('/'));
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    await fetchVerified(target, f.sha256, f.size, path, f.path);
    chmodSync(path, f.mode & 0o777);
    bytes += f.size;
  });
  if (m.secrets.length > 0) {
    const key = deriveKey(passphrase!, m.kdf!);
    for (const s of m.secrets) {
      const blob = await target.getBytes(objectKey(s.object));
      if (!blob) throw new BackupError('RESTORE_OBJECT_MISSING', `backup ${m.id}: the sealed ${s.path} (object ${s.object}) is missing`);
      if (createHash('sha256').update(blob).digest('hex') !== s.object)
        throw new BackupError('RESTORE_DIGEST_MISMATCH', `backup ${m.id}: the sealed ${s.path} does not match its digest`);
      const plain = open(key, blob, s.path);
      if (createHash('sha256').update(plain).digest('hex') !== s.sha256)
        throw new BackupError('RESTORE_DIGEST_MISMATCH', `backup ${m.id}: ${s.path} decrypts to other bytes than were backed up`);
      const path = join(dir, ...s.path.split('/'));
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, plain, { mode: s.mode & 0o777 });
      bytes += plain.length;
    }
  }
  const executions = new Set(m.files.map((f) => executionOf(f.path)).filter((x) => x !== null)).size;
  return {
    files: m.files.length,
    bytes,
    secrets: m.secrets.length,
    executions,
    database: { schemaVersion: facts.schemaVersion, executions: facts.executions, integrity: facts.integrity },
  };
}

async function fetchVerified(target: BackupTarget, sha256: string, size: number, file: string, label: string): Promise<void> {
  if (!(await target.getToFile(objectKey(sha256), file)))
    throw new BackupError('RESTORE_OBJECT_MISSING', `${label}: object ${sha256} is missing from the backup`);
  const got = await sha256File(file);
  if (got.sha256 !== sha256 || got.size !== size) {
    throw new BackupError(
      'RESTORE_DIGEST_MISMATCH',
      `${label}: restored bytes have sha256 ${got.sha256} (${got.size} bytes), the backup recorded ${sha256} (${size} bytes)`,
      { hint: 'the backup was altered or damaged: restore an earlier one (--backup <id>)' },
    );
  }
}
