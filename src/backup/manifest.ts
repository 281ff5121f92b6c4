/** Reading backup manifests back: LATEST → backups/<id>.json, its sha256 and its shape checked. */
import { createHash } from 'node:crypto';
import { BACKUP_FORMAT, type BackupManifest } from './backup.types.js';
import { BackupError, BackupNotFoundError, BackupUsageError } from './errors.js';
import type { BackupTarget } from './target.js';

const ID_RE = /^bk_\d{8}T\d{6}Z_[0-9a-f]{6}$/;
const SHA_RE = /^[0-9a-f]{64}$/;

/** The latest backup's manifest, or null when the target holds none. */
export async function readLatest(target: BackupTarget): Promise<BackupManifest | null> {
  const latest = await target.getBytes('LATEST');
  if (!latest) return null;
  let pointer: { id?: unknown; sha256?: unknown };
  try {
    pointer = JSON.parse(latest.toString('utf8')) as typeof pointer;
  } catch (cause) {
    throw new BackupError('BACKUP_LATEST_INVALID', `${target.url}/LATEST is not valid JSON`, { cause });
  }
  if (typeof pointer.id !== 'string' || typeof pointer.sha256 !== 'string')
    throw new BackupError('BACKUP_LATEST_INVALID', `${target.url}/LATEST does not name a backup`);
  return readManifest(target, pointer.id, pointer.sha256);
}

/** One backup's manifest; with `sha256`, its bytes must have that digest. */
export async function readManifest(target: BackupTarget, id: string, sha256?: string): Promise<BackupManifest> {
  if (!ID_RE.test(id)) throw new BackupUsageError('BACKUP_ID_INVALID', `"${id}" is not a backup id`, { hint: 'ids look like bk_20261128T081500Z_a1b2c3' });
  const bytes = await target.getBytes(`backups/${id}.json`);
  if (!bytes) throw new BackupNotFoundError('BACKUP_NOT_FOUND', `backup ${id} is not in ${target.url}`);
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== undefined && digest !== sha256)
    throw new BackupError('BACKUP_MANIFEST_ALTERED', `backup ${id}: its manifest's sha256 is ${digest}, LATEST says ${sha256}`);
  let m: BackupManifest;
  try {
    m = JSON.parse(bytes.toString('utf8')) as BackupManifest;
  } catch (cause) {
    throw new BackupError('BACKUP_MANIFEST_INVALID', `backup ${id}: the manifest is not valid JSON`, { cause });
  }
  const problem = shapeProblem(m, id);
  if (problem) throw new BackupError('BACKUP_MANIFEST_INVALID', `backup ${id}: ${problem}`);
  return m;
}

// Everything restore trusts is checked: format, digests, sizes, and paths that stay inside the home.
function shapeProblem(m: BackupManifest, id: string): string | null {
  if (m?.format !== BACKUP_FORMAT) return `unknown format ${String(m?.format)}`;
  if (m.id !== id) return `the manifest is for ${String(m.id)}`;
  if (!m.database || !SHA_RE.test(m.database.sha256) || !Number.isSafeInteger(m.database.size)) return 'no valid database entry';
  if (!Array.isArray(m.files) || !Array.isArray(m.secrets)) return 'files and secrets must be lists';
  const seen = new Set<string>();
  for (const f of [...m.files, ...m.secrets]) {
    const bad = pathProblem(f?.path);
    if (bad) return `path ${JSON.stringify(String(f?.path).slice(0, 200))}: ${bad}`;
    if (seen.has(f.path)) return `path ${f.path} is listed twice`;
    seen.add(f.path);
    if (!SHA_RE.test(f.sha256) || !Number.isSafeInteger(f.size) || f.size < 0 || !Number.isInteger(f.mode)) return `path ${f.path}: bad digest, size or mode`;
  }
  if (m.secrets.some((s) => !SHA_RE.test(s.object))) return 'a secret has no valid object digest';
  if (m.secrets.length > 0 && !m.kdf) return 'secrets without key-derivation parameters';
  return null;
}

function pathProblem(p: unknown): string | null {
  if (typeof p !== 'string' || p === '' || p.length > 4096) return 'not a path';
  if (p.startsWith('/') || p.includes('\\') || p.includes('\0')) return 'not a relative POSIX path';
  if (p.split('/').some((s) => s === '' || s === '.' || s === '..')) return 'empty, "." or ".." segment';
  if (p === 'maestro.db' || p.startsWith('maestro.db-')) return 'the database is restored from its own entry';
  return null;
}
