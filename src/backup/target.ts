/**
 * Where backups live: a directory, or s3://bucket/prefix (through the disclosure room's S3 store).
 * Keys are relative paths ("objects/ab/<sha256>", "backups/<id>.json", "LATEST"). Directory writes go
 * to a temp file and are renamed into place, so a killed backup never leaves a half-written object.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Context } from '../core/context.js';
import { BackupUsageError } from './errors.js';

export interface BackupTarget {
  readonly url: string;
  has(key: string): Promise<boolean>;
  putFile(key: string, file: string): Promise<void>;
  putBytes(key: string, bytes: Buffer): Promise<void>;
  getBytes(key: string): Promise<Buffer | null>;
  getToFile(key: string, file: string): Promise<boolean>;
  close(): void;
}

export interface S3Settings {
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

/** Open `to` (a directory path or s3://bucket/prefix); a directory is created when `create`. */
export async function openTarget(ctx: Context, to: string, s3: S3Settings, create: boolean): Promise<BackupTarget> {
  if (to.startsWith('s3://')) {
    const { openS3Store } = await import('../disclose/index.js');
    const store = await openS3Store(ctx, { to, ...s3 });
    return {
      url: store.url,
      has: (k) => store.exists(k),
      putFile: (k, f) => store.putFile(k, f),
      putBytes: (k, b) => store.putBytes(k, b),
      getBytes: (k) => store.getBytes(k),
      getToFile: (k, f) => store.getToFile(k, f),
      close: () => store.close(),
    };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(to))
    throw new BackupUsageError('BACKUP_TARGET_INVALID', `"${to}" is neither a directory nor an s3://bucket/prefix`, {
      hint: 'example: --to /var/backups/maestro or --to s3://backups/maestro',
    });
  const root = resolve(ctx.cwd, to);
  if (create) mkdirSync(root, { recursive: true, mode: 0o700 });
  return dirTarget(ctx, root);
}

function dirTarget(ctx: Context, root: string): BackupTarget {
  const path = (k: string) => join(root, ...k.split('/'));
  const place = (k: string, write: (tmp: string) => void) => {
    const p = path(k);
    mkdirSync(dirname(p), { recursive: true, mode: 0o700 });
    const tmp = `${p}.${process.pid}.${ctx.random.uuid()}.tmp`;
    try {
      write(tmp);
      renameSync(tmp, p);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  };
  return {
    url: root,
    has: async (k) => existsSync(path(k)),
    putFile: async (k, f) => place(k, (tmp) => copyFileSync(f, tmp)),
    putBytes: async (k, b) => place(k, (tmp) => writeFileSync(tmp, b, { mode: 0o600 })),
    getBytes: async (k) => (existsSync(path(k)) ? readFileSync(path(k)) : null),
    getToFile: async (k, f) => {
      if (!existsSync(path(k))) return false;
      copyFileSync(path(k), f);
      return true;
    },
    close: () => undefined,
  };
}
