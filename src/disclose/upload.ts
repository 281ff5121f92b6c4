/**
 * Resumable multipart upload of a pack to S3 (or any S3-compatible store) with @aws-sdk/client-s3.
 * State (UploadId + completed part ETags) is kept in "<pack>.upload.json" beside the pack and
 * rewritten after every part, so a second attempt continues from the completed parts. Requests
 * that fail with 429, 5xx or a dropped connection are retried with exponential backoff and full
 * jitter (our own loop: the SDK's retries are off so that attempts are counted and bounded here).
 * lib-storage's Upload cannot take over an existing UploadId, hence the direct commands.
 */
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Context } from '../core/context.js';
import { writerTag } from '../core/proc.js';
import { canonicalJsonFile, sha256File } from '../receipts/index.js';
import type { UploadOptions, UploadResult } from './disclose.types.js';
import { DiscloseError } from './errors.js';
import { type RetryPolicy, withRetry } from './retry.js';
import { parseS3Target } from './s3-target.js';

const MIN_PART = 5 * 1024 * 1024;

interface UploadState {
  bucket: string;
  key: string;
  size: number;
  sha256: string;
  partSize: number;
  uploadId: string;
  parts: Array<{ PartNumber: number; ETag: string }>;
}

/** The state file of an upload in progress. */
export function uploadStatePath(file: string): string {
  return `${file}.upload.json`;
}

/**
 * Upload `file` to `options.to`, resuming an interrupted upload of the same bytes.
 * @example await uploadPack(ctx, 'pack.zip', { to: 's3://evidence/packs', endpoint: 'http://127.0.0.1:9000' });
 */
export async function uploadPack(ctx: Context, file: string, options: UploadOptions & { sha256?: string }): Promise<UploadResult> {
  // The SDK warns on stderr that Node 20 support ends; that notice is not ours to print (users can set it).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { S3Client } = await import('@aws-sdk/client-s3');
  const { bucket, key } = parseS3Target(options.to, basename(file));
  const size = statSync(file).size;
  const partSize = Math.max(MIN_PART, options.partSize ?? 8 * 1024 * 1024);
  const policy: RetryPolicy = {
    maxAttempts: options.maxAttempts ?? 8,
    baseDelayMs: options.baseDelayMs ?? 200,
    maxDelayMs: 20_000,
    random: () => ctx.random.bytes(4).readUInt32LE(0) / 2 ** 32,
    retries: 0,
  };
  const accessKeyId = options.accessKeyId ?? ctx.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = options.secretAccessKey ?? ctx.env.AWS_SECRET_ACCESS_KEY;
  const client = new S3Client({
    region: options.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const url = `s3://${bucket}/${key}`;
  try {
    if (size <= partSize) {
      const etag = await putSingle(client, file, bucket, key, policy);
      options.onProgress?.({ phase: 'upload', bytes: size, total: size });
      return { bucket, key, url, etag, parts: 1, resumedParts: 0, retries: policy.retries };
    }
    const sha256 = options.sha256 ?? (await sha256File(file)).sha256;
    return await multipart(client, file, { bucket, key, size, sha256, partSize }, policy, options);
  } catch (err) {
    if (err instanceof DiscloseError) throw err;
    const state = readState(file);
    const hint =
      state && state.parts.length > 0
        ? `run the same command again: it resumes from the ${state.parts.length} completed parts recorded in ${uploadStatePath(file)}`
        : 'check the endpoint and credentials, then run the same command again';
    throw new DiscloseError('UPLOAD_FAILED', `upload to ${url} failed after ${policy.retries} retries: ${describe(err)}`, { cause: err, hint });
  } finally {
    client.destroy();
  }
}

type Client = import('@aws-sdk/client-s3').S3Client;
type Target = Omit<UploadState, 'uploadId' | 'parts'>;

async function putSingle(client: Client, file: string, bucket: string, key: string, policy: RetryPolicy): Promise<string | null> {
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  const body = readFileSync(file);
  const r = await withRetry(policy, () =>
    client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: body.length, ContentType: 'application/zip' })),
  );
  return r.ETag ?? null;
}

async function multipart(client: Client, file: string, target: Target, policy: RetryPolicy, options: UploadOptions): Promise<UploadResult> {
  const s3 = await import('@aws-sdk/client-s3');
  let state = await resumableState(client, file, target, policy);
  const resumedParts = state?.parts.length ?? 0;
  if (!state) {
    const created = await withRetry(policy, () =>
      client.send(new s3.CreateMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, ContentType: 'application/zip' })),
    );
    state = { ...target, uploadId: created.UploadId!, parts: [] };
    writeState(file, state);
  }
  const count = Math.ceil(target.size / target.partSize);
  const done = new Set(state.parts.map((p) => p.PartNumber));
  const todo = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !done.has(n));
  let uploaded = state.parts.reduce((n, p) => n + partLength(target, p.PartNumber), 0);
  const fh = await open(file, 'r');
  try {
    const worker = async (): Promise<void> => {
      for (let n = todo.shift(); n !== undefined; n = todo.shift()) {
        const len = partLength(target, n);
        const body = Buffer.alloc(len);
        await fh.read(body, 0, len, (n - 1) * target.partSize);
        const partNumber = n;
        const r = await withRetry(policy, () =>
          client.send(
            new s3.UploadPartCommand({
              Bucket: target.bucket,
              Key: target.key,
              UploadId: state!.uploadId,
              PartNumber: partNumber,
              Body: body,
              ContentLength: len,
            }),
          ),
        );
        state!.parts.push({ PartNumber: partNumber, ETag: r.ETag! });
        writeState(file, state!);
        uploaded += len;
        options.onProgress?.({ phase: 'upload', bytes: uploaded, total: target.size });
      }
    };
    // Let every worker finish (others keep uploading after one part fails: more to resume from).
    const settled = await Promise.allSettled(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
    const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  } finally {
    await fh.close();
  }
  const parts = [...state.parts].sort((a, b) => a.PartNumber - b.PartNumber);
  const completed = await withRetry(policy, () =>
    client.send(
      new s3.CompleteMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: state!.uploadId, MultipartUpload: { Parts: parts } }),
    ),
  );
  rmSync(uploadStatePath(file), { force: true });
  return {
    bucket: target.bucket,
    key: target.key,
    url: `s3://${target.bucket}/${target.key}`,
    etag: completed.ETag ?? null,
    parts: count,
    resumedParts,
    retries: policy.retries,
  };
}

// The saved state if it is for the same bytes and target; reconciled with ListParts where supported.
async function resumableState(client: Client, file: string, target: Target, policy: RetryPolicy): Promise<UploadState | null> {
  const state = readState(file);
  if (!state) return null;
  const { AbortMultipartUploadCommand, ListPartsCommand } = await import('@aws-sdk/client-s3');
  if (
    state.bucket !== target.bucket ||
    state.key !== target.key ||
    state.size !== target.size ||
    state.sha256 !== target.sha256 ||
    state.partSize !== target.partSize
  ) {
    // Other bytes or another target: abandon that upload (best effort, so its parts stop costing storage).
    await client.send(new AbortMultipartUploadCommand({ Bucket: state.bucket, Key: state.key, UploadId: state.uploadId })).catch(() => undefined);
    return null;
  }
  try {
    const listed = await withRetry(policy, () =>
      client.send(new ListPartsCommand({ Bucket: target.bucket, Key: target.key, UploadId: state.uploadId, MaxParts: 10_000 })),
    );
    const server = new Map((listed.Parts ?? []).map((p) => [p.PartNumber!, p.ETag!]));
    state.parts = state.parts.filter((p) => server.get(p.PartNumber) === p.ETag);
    for (const [n, etag] of server)
      if (!state.parts.some((p) => p.PartNumber === n) && n >= 1 && n <= Math.ceil(target.size / target.partSize))
        state.parts.push({ PartNumber: n, ETag: etag });
  } catch (err) {
    const code = (err as { name?: string }).name;
    if (code === 'NoSuchUpload') return null; // expired or aborted: start again
    // Stores without ListParts (405/501): trust the ETags we recorded after each part.
  }
  return state;
}

function partLength(t: Target, n: number): number {
  return Math.min(t.partSize, t.size - (n - 1) * t.partSize);
}

function readState(file: string): UploadState | null {
  const p = uploadStatePath(file);
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as UploadState;
  } catch {
    return null;
  }
}

function writeState(file: string, state: UploadState): void {
  const p = uploadStatePath(file);
  // The writer (pid and start time) in the name: a killed upload's temp is found and swept by the next
  // export of the pack (sweepStaleTemps).
  const tmp = `${p}.${writerTag()}.tmp`;
  writeFileSync(tmp, canonicalJsonFile({ ...state, parts: [...state.parts].sort((a, b) => a.PartNumber - b.PartNumber) }));
  renameSync(tmp, p);
}

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  return `${status ? `HTTP ${status} ` : ''}${e.name ?? 'Error'}: ${e.message ?? String(err)}`;
}
