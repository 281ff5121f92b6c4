/** Types of the disclosure room (results are plain data; --json prints them as they are). */
import type { Check, TrustedKey } from '../receipts/index.js';

export interface ProgressEvent {
  phase: 'hash' | 'zip' | 'upload' | 'verify';
  bytes: number;
  total: number;
}

export interface UploadOptions {
  /** s3://bucket/prefix */
  to: string;
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Part size in bytes (at least 5 MiB; default 8 MiB). */
  partSize?: number;
  /** Parts in flight at once (default 4). */
  concurrency?: number;
  /** Attempts per request for 429/5xx/network errors (default 8). */
  maxAttempts?: number;
  /** First backoff delay in ms (default 200); doubles each attempt, full jitter, capped at 20 s. */
  baseDelayMs?: number;
  onProgress?: (e: ProgressEvent) => void;
}

export interface UploadResult {
  bucket: string;
  key: string;
  url: string;
  etag: string | null;
  parts: number;
  /** Parts reused from an interrupted earlier attempt. */
  resumedParts: number;
  retries: number;
}

export interface ExportOptions {
  executionId: string;
  /** When given, the execution must belong to the caller's tenant (platform admins see all). */
  caller?: { tenantId: string; tenantName: string; platformAdmin: boolean };
  output?: string;
  to?: string;
  upload?: Omit<UploadOptions, 'to' | 'onProgress'>;
  onProgress?: (e: ProgressEvent) => void;
  /**
   * The execution's evidence laid out as an execution directory (ADR 0030: the engine writes it from
   * the database into a private temp directory); default: <home>/executions/<id>.
   */
  sourceDir?: string;
}

export interface ExportResult {
  executionId: string;
  path: string;
  bytes: number;
  sha256: string;
  entries: number;
  /** Bytes of content (before compression) in the pack. */
  contentBytes: number;
  contentHash: string;
  keyId: string;
  receiptCreated: boolean;
  /** Files not exported (symlinks, devices) under logs/ or out/. */
  skipped: string[];
  upload?: UploadResult;
}

export interface VerifyOptions {
  /** PEM public key files; when given they replace the engine's own keys. */
  keyFiles?: string[];
  /** Keys to trust when no key files are given (the engine passes the database's trusted list, ADR 0030). */
  trustedKeys?: TrustedKey[];
  maxTotalBytes?: number;
  maxRatio?: number;
  onProgress?: (e: ProgressEvent) => void;
}

export interface VerifyResult {
  ok: boolean;
  pack: string;
  executionId: string | null;
  entries: number;
  trustedKeys: string[];
  checks: Check[];
}
