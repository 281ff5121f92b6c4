/**
 * A small object store over S3 (or any S3-compatible endpoint) for rooms that keep many objects under
 * one s3://bucket/prefix (backups): put a file or bytes, get to a file or bytes, test existence. Same
 * client settings, credentials and bounded retry loop as the pack upload (upload.ts).
 */
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Context } from '../core/context.js';
import { DiscloseError } from './errors.js';
import { type RetryPolicy, withRetry } from './retry.js';
import { parseS3Target } from './s3-target.js';

export interface S3StoreOptions {
  /** s3://bucket/prefix: every key below is relative to the prefix. */
  to: string;
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  maxAttempts?: number;
  baseDelayMs?: number;
}

export interface S3Store {
  readonly url: string;
  putFile(key: string, file: string): Promise<void>;
  putBytes(key: string, bytes: Buffer): Promise<void>;
  /** The object's bytes, or null when it does not exist. */
  getBytes(key: string): Promise<Buffer | null>;
  /** Stream the object to `file`; false when it does not exist. */
  getToFile(key: string, file: string): Promise<boolean>;
  exists(key: string): Promise<boolean>;
  close(): void;
}

/**
 * Open an object store at `options.to`.
 * @example const s = await openS3Store(ctx, { to: 's3://backups/maestro', endpoint: 'http://127.0.0.1:9000' });
 */
export async function openS3Store(ctx: Context, options: S3StoreOptions): Promise<S3Store> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const s3 = await import('@aws-sdk/client-s3');
  const { bucket, key: prefix } = parseS3Target(options.to, '');
  const base = prefix.replace(/\/+$/, '');
  const full = (k: string) => (base === '' ? k : `${base}/${k}`);
  const accessKeyId = options.accessKeyId ?? ctx.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = options.secretAccessKey ?? ctx.env.AWS_SECRET_ACCESS_KEY;
  const endpoint = options.endpoint ?? ctx.env.MAESTRO_S3_ENDPOINT;
  const client = new s3.S3Client({
    region: options.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const policy = (): RetryPolicy => ({
    maxAttempts: options.maxAttempts ?? 8,
    baseDelayMs: options.baseDelayMs ?? 200,
    maxDelayMs: 20_000,
    random: () => ctx.random.bytes(4).readUInt32LE(0) / 2 ** 32,
    retries: 0,
  });
  const url = `s3://${bucket}/${base}`;
  const fail = (what: string, k: string, err: unknown): never => {
    const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    throw new DiscloseError(
      'S3_REQUEST_FAILED',
      `${what} s3://${bucket}/${full(k)} failed: ${e.$metadata?.httpStatusCode ? `HTTP ${e.$metadata.httpStatusCode} ` : ''}${e.name ?? 'Error'}: ${e.message ?? String(err)}`,
      {
        cause: err,
        hint: 'check the endpoint, bucket and credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)',
      },
    );
  };
  const missing = (err: unknown) => {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
  };
  const get = async (k: string) => {
    try {
      return await withRetry(policy(), () => client.send(new s3.GetObjectCommand({ Bucket: bucket, Key: full(k) })));
    } catch (err) {
      if (missing(err)) return null;
      return fail('GET', k, err);
    }
  };
  return {
    url,
    async putFile(k, file) {
      const size = statSync(file).size;
      await withRetry(policy(), () =>
        client.send(new s3.PutObjectCommand({ Bucket: bucket, Key: full(k), Body: createReadStream(file), ContentLength: size })),
      ).catch((err: unknown) => fail('PUT', k, err));
    },
    async putBytes(k, bytes) {
      await withRetry(policy(), () => client.send(new s3.PutObjectCommand({ Bucket: bucket, Key: full(k), Body: bytes, ContentLength: bytes.length }))).catch(
        (err: unknown) => fail('PUT', k, err),
      );
    },
    async getBytes(k) {
      const r = await get(k);
      return r ? Buffer.from(await r.Body!.transformToByteArray()) : null;
    },
    async getToFile(k, file) {
      const r = await get(k);
      if (!r) return false;
      await pipeline(r.Body as Readable, createWriteStream(file, { mode: 0o600 }));
      return true;
    },
    async exists(k) {
      try {
        await withRetry(policy(), () => client.send(new s3.HeadObjectCommand({ Bucket: bucket, Key: full(k) })));
        return true;
      } catch (err) {
        if (missing(err)) return false;
        return fail('HEAD', k, err);
      }
    },
    close: () => client.destroy(),
  };
}
