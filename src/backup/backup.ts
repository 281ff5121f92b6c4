/**
 * `maestro backup`: an online, incremental, content-addressed backup of a state home.
 *   1. the database, copied online with SQLite's backup API (the recovery point: snapshotAt);
 *   2. every other file (executions' evidence, pack signatures, policies, prices): stored once per
 *      distinct sha256 as objects/<aa>/<sha256>; a file whose size and mtime match the parent backup's
 *      entry is neither re-read nor copied (unchanged executions cost nothing);
 *   3. secrets (keys/*, token) sealed with a passphrase (scrypt + AES-256-GCM), never stored in clear;
 *   4. backups/<id>.json (the digest of every file), then LATEST names it with its own sha256.
 * Objects are written before the manifest and the manifest before LATEST: a killed backup leaves the
 * previous one intact. Runtime scratch (runtime/, uploads/, *.tmp) is not backed up.
 */

import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, type Stats, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from '../core/context.js';
import { canonicalJsonFile, sha256File } from '../receipts/index.js';
import { dbPath, requireSqliteStore, snapshotDatabase } from '../store/index.js';
import { BACKUP_FORMAT, type BackupFile, type BackupManifest, type BackupOptions, type BackupResult, type BackupSecret } from './backup.types.js';
import { BackupError, BackupUsageError } from './errors.js';
import { readLatest } from './manifest.js';
import { mapLimit } from './pool.js';
import { deriveKey, newKdf, readPassphrase, seal } from './secrets.js';
import { type BackupTarget, openTarget } from './target.js';

/** Top-level entries of a state home that are scratch, rebuilt on demand, or the live database. */
const SKIP_TOP = new Set(['runtime', 'uploads', 'maestro.db', 'maestro.db-wal', 'maestro.db-shm', 'maestro.db-journal']);
/** Files read into memory to hash and store the same bytes (larger ones are streamed). */
const SMALL = 8 * 1024 * 1024;
/** Most files in one state home a backup accepts (a bound on the walk and the manifest). */
export const MAX_FILES = 2_000_000;
const CONCURRENCY = 8;

export const objectKey = (sha256: string): string => `objects/${sha256.slice(0, 2)}/${sha256}`;
export const isSecretPath = (p: string): boolean => p === 'token' || p.startsWith('keys/');

/**
 * Back up the state home of `ctx` to `options.to`.
 * @example const r = await runBackup(ctx, { to: '/var/backups/maestro', passphraseFile: 'pass.txt' });
 */
export async function runBackup(ctx: Context, options: BackupOptions): Promise<BackupResult> {
  requireSqliteStore(ctx, 'maestro backup');
  const started = ctx.clock.now();
  const files = walkHome(ctx.home);
  const secretsPresent = files.some((f) => isSecretPath(f.path));
  const passphrase = readPassphrase(ctx, options.passphraseFile);
  if (secretsPresent && !passphrase) {
    throw new BackupUsageError(
      'BACKUP_PASSPHRASE_REQUIRED',
      'the state home holds private keys and a token, which a backup stores only encrypted: no passphrase given',
      {
        hint: 'pass --passphrase-file <file> or set MAESTRO_BACKUP_PASSPHRASE (keep it apart from the backups)',
      },
    );
  }
  const target = await openTarget(ctx, options.to, options.s3 ?? {}, true);
  const work = mkdtempSync(join(tmpdir(), 'maestro-backup-'));
  try {
    const parent = await readLatest(target).catch(() => null);
    const snapshotAt = ctx.clock.now();
    const snap = join(work, 'maestro.db');
    const facts = await snapshotDatabase(dbPath(ctx.home), snap);
    if (!facts.ok)
      throw new BackupError('BACKUP_DB_CORRUPT', `the database snapshot fails its integrity check: ${facts.integrity}`, {
        hint: 'the live database may be damaged: run maestro doctor',
      });
    const dbDigest = await sha256File(snap);
    const known = new Set(parent ? [...parent.files.map((f) => f.sha256), parent.database.sha256] : []);
    const stats: CopyStats = { filesCopied: 0, bytesCopied: 0, changedExecutions: new Set<string>(), copies: 0 };
    if (!known.has(dbDigest.sha256)) {
      await target.putFile(objectKey(dbDigest.sha256), snap);
      stats.bytesCopied += dbDigest.size;
    }
    const previous = new Map((parent?.files ?? []).map((f) => [f.path, f]));
    const plain = files.filter((f) => !isSecretPath(f.path));
    const entries = (await mapLimit(plain, CONCURRENCY, (f) => storeFile(ctx.home, work, f, previous.get(f.path), known, target, stats))).filter(
      (e): e is BackupFile => e !== null,
    );
    const kdf = passphrase && secretsPresent ? newKdf(ctx) : null;
    const key = kdf && passphrase ? deriveKey(passphrase, kdf) : null;
    const secrets: BackupSecret[] = [];
    for (const f of files.filter((x) => isSecretPath(x.path))) {
      const bytes = readFileSync(join(ctx.home, f.path));
      const sealed = seal(key!, ctx.random.bytes(12), bytes, f.path);
      const object = createHash('sha256').update(sealed).digest('hex');
      await target.putBytes(objectKey(object), sealed);
      secrets.push({ path: f.path, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, mode: f.stat.mode & 0o777, object });
    }
    const createdAt = new Date(ctx.clock.now()).toISOString();
    const id = `bk_${createdAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}_${ctx.random.bytes(3).toString('hex')}`;
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      id,
      parent: parent?.id ?? null,
      createdAt,
      snapshotAt: new Date(snapshotAt).toISOString(),
      database: { sha256: dbDigest.sha256, size: dbDigest.size, schemaVersion: facts.schemaVersion, executions: facts.executions },
      files: entries,
      secrets,
      kdf,
    };
    const bytes = Buffer.from(canonicalJsonFile(manifest), 'utf8');
    await target.putBytes(`backups/${id}.json`, bytes);
    await target.putBytes('LATEST', Buffer.from(canonicalJsonFile({ id, sha256: createHash('sha256').update(bytes).digest('hex') }), 'utf8'));
    const executions = new Set(entries.map((e) => executionOf(e.path)).filter((x): x is string => x !== null));
    return {
      id,
      target: target.url,
      parent: manifest.parent,
      createdAt,
      snapshotAt: manifest.snapshotAt,
      files: entries.length,
      filesCopied: stats.filesCopied,
      bytesCopied: stats.bytesCopied,
      executions: executions.size,
      executionsCopied: stats.changedExecutions.size,
      secrets: secrets.length,
      database: { sha256: dbDigest.sha256, bytes: dbDigest.size, schemaVersion: facts.schemaVersion, executions: facts.executions, integrity: facts.integrity },
      seconds: (ctx.clock.now() - started) / 1000,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
    target.close();
  }
}

type CopyStats = { filesCopied: number; bytesCopied: number; changedExecutions: Set<string>; copies: number };

// One file: unchanged since the parent (size + mtime) → the parent's entry; else hash, and copy the
// bytes unless an object with that digest is already stored.
async function storeFile(
  home: string,
  work: string,
  f: { path: string; stat: Stats },
  prev: BackupFile | undefined,
  known: Set<string>,
  target: BackupTarget,
  stats: CopyStats,
): Promise<BackupFile | null> {
  const meta = { path: f.path, size: f.stat.size, mode: f.stat.mode & 0o777, mtimeMs: Math.floor(f.stat.mtimeMs) };
  if (prev && prev.size === meta.size && prev.mtimeMs === meta.mtimeMs && prev.mode === meta.mode) return prev;
  const abs = join(home, f.path);
  let sha256: string;
  let size: number;
  let put: () => Promise<void>;
  if (!existsSync(abs)) return null; // removed since the walk (nothing to keep)
  if (f.stat.size <= SMALL) {
    const bytes = readFileSync(abs); // hash and store the very same bytes
    sha256 = createHash('sha256').update(bytes).digest('hex');
    size = bytes.length;
    put = () => target.putBytes(objectKey(sha256), bytes);
  } else {
    // A large file may still grow (a running task's log): hash and store a private copy, never the live file.
    const copy = join(work, `f${stats.copies++}`);
    copyFileSync(abs, copy);
    ({ sha256, size } = await sha256File(copy));
    put = () => target.putFile(objectKey(sha256), copy).finally(() => rmSync(copy, { force: true }));
  }
  const ex = executionOf(f.path);
  if (!known.has(sha256)) {
    known.add(sha256);
    if (!(await target.has(objectKey(sha256)))) {
      await put();
      stats.filesCopied++;
      stats.bytesCopied += size;
      if (ex) stats.changedExecutions.add(ex);
    }
  }
  if (ex && prev?.sha256 !== sha256) stats.changedExecutions.add(ex);
  return { ...meta, size, sha256 };
}

/** "executions/<id>/..." → id. */
export function executionOf(path: string): string | null {
  const m = /^executions\/([^/]+)\//.exec(path);
  return m ? m[1]! : null;
}

// Regular files of the state home (relative POSIX paths), minus scratch, temp files and symlinks.
function walkHome(home: string): Array<{ path: string; stat: Stats }> {
  try {
    if (!statSync(home).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new BackupUsageError('BACKUP_HOME_MISSING', `there is no state home at ${home}`, { hint: 'set MAESTRO_HOME to the state home to back up' });
  }
  const out: Array<{ path: string; stat: Stats }> = [];
  const walk = (dir: string, rel: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (rel === '' && SKIP_TOP.has(e.name)) continue;
      if (e.name.endsWith('.tmp')) continue;
      if (e.isDirectory()) walk(join(dir, e.name), r);
      else if (e.isFile()) {
        if (out.length >= MAX_FILES) throw new BackupError('BACKUP_TOO_MANY_FILES', `the state home holds more than ${MAX_FILES} files`);
        out.push({ path: r, stat: statSync(join(dir, e.name)) });
      }
    }
  };
  walk(home, '');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
