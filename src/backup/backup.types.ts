/** Types of the backup room (results are plain data; --json prints them as they are). */
import type { KdfParams } from './secrets.js';
import type { S3Settings } from './target.js';

export const BACKUP_FORMAT = 'https://maestro-conductor.dev/backup/v1';

/** One evidence or state file, stored as the object objects/<sha256[0:2]>/<sha256>. */
export interface BackupFile {
  path: string;
  sha256: string;
  size: number;
  mode: number;
  mtimeMs: number;
}

/** A secret (private key, token): `object` is the sha256 of the sealed blob; sha256/size are of the plaintext. */
export interface BackupSecret {
  path: string;
  sha256: string;
  size: number;
  mode: number;
  object: string;
}

/** backups/<id>.json: everything needed to rebuild a state home, by digest. */
export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  id: string;
  parent: string | null;
  createdAt: string;
  /** When the database snapshot began: the recovery point. */
  snapshotAt: string;
  database: { sha256: string; size: number; schemaVersion: number; executions: number };
  files: BackupFile[];
  secrets: BackupSecret[];
  kdf: KdfParams | null;
}

export interface BackupOptions {
  /** A directory or s3://bucket/prefix. */
  to: string;
  passphraseFile?: string;
  s3?: S3Settings;
}

export interface BackupResult {
  id: string;
  target: string;
  parent: string | null;
  createdAt: string;
  snapshotAt: string;
  files: number;
  /** Files whose bytes were copied by this backup (the rest were unchanged since the parent). */
  filesCopied: number;
  bytesCopied: number;
  executions: number;
  /** Executions with at least one new or changed file. */
  executionsCopied: number;
  secrets: number;
  database: { sha256: string; bytes: number; schemaVersion: number; executions: number; integrity: string };
  seconds: number;
}

export interface RestoreOptions {
  /** A directory or s3://bucket/prefix holding backups. */
  from: string;
  /** A backup id (default: the latest). */
  backup?: string;
  passphraseFile?: string;
  s3?: S3Settings;
}

export interface RestoreResult {
  home: string;
  backupId: string;
  snapshotAt: string;
  files: number;
  bytes: number;
  secrets: number;
  executions: number;
  database: { schemaVersion: number; executions: number; integrity: string };
  /** Every restored byte matched its recorded sha256. */
  verified: true;
  seconds: number;
}

export interface WatchOptions extends BackupOptions {
  everyMs: number;
  /** Stop after this many backups (default: until the signal). */
  maxRuns?: number;
  signal: AbortSignal;
  onResult: (r: BackupResult) => void;
  onError: (err: Error) => void;
}
