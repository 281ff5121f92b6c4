/**
 * Encryption of secret files (private keys, the token) in backups: a key derived from the passphrase
 * with scrypt (per-backup random salt), each file sealed with AES-256-GCM under a fresh 96-bit IV.
 * Sealed blob = IV (12) || ciphertext || tag (16). A wrong passphrase fails the tag: nothing is written.
 */
import { createCipheriv, createDecipheriv, scryptSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Context } from '../core/context.js';
import { BackupError, BackupUsageError } from './errors.js';

export interface KdfParams {
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  /** base64 */
  salt: string;
  cipher: 'aes-256-gcm';
}

export const SCRYPT = { N: 1 << 15, r: 8, p: 1 } as const;
const IV = 12;
const TAG = 16;
const MIN_PASSPHRASE = 8;

/** The passphrase from --passphrase-file (the file, less a trailing newline) or MAESTRO_BACKUP_PASSPHRASE; null when neither. */
export function readPassphrase(ctx: Context, passphraseFile?: string): Buffer | null {
  let p: Buffer | null = null;
  if (passphraseFile) {
    try {
      const raw = readFileSync(resolve(ctx.cwd, passphraseFile));
      // The whole file is the passphrase (or key material), less one trailing newline.
      p = raw.subarray(0, raw.length - (raw.subarray(-2).toString() === '\r\n' ? 2 : raw.subarray(-1).toString() === '\n' ? 1 : 0));
    } catch (cause) {
      throw new BackupUsageError('PASSPHRASE_FILE_UNREADABLE', `cannot read the passphrase file ${passphraseFile}`, { cause });
    }
  } else if (ctx.env.MAESTRO_BACKUP_PASSPHRASE) p = Buffer.from(ctx.env.MAESTRO_BACKUP_PASSPHRASE, 'utf8');
  if (p && p.length < MIN_PASSPHRASE) throw new BackupUsageError('PASSPHRASE_TOO_SHORT', `the backup passphrase must be at least ${MIN_PASSPHRASE} bytes`);
  return p;
}

/** Fresh KDF parameters for one backup. */
export function newKdf(ctx: Context): KdfParams {
  return { kdf: 'scrypt', ...SCRYPT, salt: ctx.random.bytes(16).toString('base64'), cipher: 'aes-256-gcm' };
}

export function deriveKey(passphrase: Buffer, k: KdfParams): Buffer {
  if (k.kdf !== 'scrypt' || k.cipher !== 'aes-256-gcm') throw new BackupError('BACKUP_CIPHER_UNKNOWN', `unknown key derivation ${k.kdf} / cipher ${k.cipher}`);
  if (![k.N, k.r, k.p].every((v) => Number.isSafeInteger(v) && v > 0) || k.N > 1 << 20 || k.r > 32 || k.p > 16)
    throw new BackupError('BACKUP_KDF_INVALID', 'the backup names out-of-range scrypt parameters');
  return scryptSync(passphrase, Buffer.from(k.salt, 'base64'), 32, { N: k.N, r: k.r, p: k.p, maxmem: 256 * k.N * k.r + 1024 * 1024 });
}

export function seal(key: Buffer, iv: Buffer, plain: Buffer, aad: string): Buffer {
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  return Buffer.concat([iv, c.update(plain), c.final(), c.getAuthTag()]);
}

/** Open a sealed blob; `aad` binds it to its path (a blob moved to another path does not open). */
export function open(key: Buffer, blob: Buffer, aad: string): Buffer {
  if (blob.length < IV + TAG) throw new BackupError('BACKUP_SECRET_CORRUPT', `the sealed ${aad} is truncated`);
  const d = createDecipheriv('aes-256-gcm', key, blob.subarray(0, IV));
  d.setAAD(Buffer.from(aad, 'utf8'));
  d.setAuthTag(blob.subarray(blob.length - TAG));
  try {
    return Buffer.concat([d.update(blob.subarray(IV, blob.length - TAG)), d.final()]);
  } catch (cause) {
    throw new BackupError('BACKUP_PASSPHRASE_WRONG', `cannot decrypt ${aad}: wrong passphrase, or the backup was altered`, {
      cause,
      hint: 'use the passphrase (file) the backup was made with',
    });
  }
}
