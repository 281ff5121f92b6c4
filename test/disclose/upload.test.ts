import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
// @ts-expect-error -- s3rver ships no types
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPack, parseS3Target, uploadPack, uploadStatePath } from '../../src/disclose/index.js';
import { ensureSigningKey } from '../../src/receipts/index.js';
import { fixtureContext, makeExecution } from '../receipts/fixtures.js';
import { startFaultProxy } from './fault-proxy.js';

const creds = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
let server: { run(): Promise<{ port: number }>; close(): Promise<void>; httpServer: { closeAllConnections(): void } };
let s3url: string;

beforeAll(async () => {
  server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: mkdtempSync(join(tmpdir(), 's3rver-')),
    configureBuckets: [{ name: 'evidence' }],
  });
  const { port } = await server.run();
  s3url = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  server.httpServer.closeAllConnections(); // keep-alive sockets would hold close() open
  await server.close();
});

async function storedSha(key: string): Promise<string> {
  const client = new S3Client({ region: 'us-east-1', endpoint: s3url, forcePathStyle: true, credentials: creds });
  const r = await client.send(new GetObjectCommand({ Bucket: 'evidence', Key: key }));
  const bytes = Buffer.from(await r.Body!.transformToByteArray());
  client.destroy();
  return createHash('sha256').update(bytes).digest('hex');
}

function bigExecution() {
  const f = makeExecution(fixtureContext(), { tasks: [{ id: 'build', lines: 50, outputs: { 'blob.bin': randomBytes(12 * 1024 * 1024) } }] });
  ensureSigningKey(f.ctx);
  return f;
}

describe('S3 upload', () => {
  it('parses s3:// targets', () => {
    expect(parseS3Target('s3://evidence/a/b/', 'p.zip')).toEqual({ bucket: 'evidence', key: 'a/b/p.zip' });
    expect(parseS3Target('s3://evidence', 'p.zip')).toEqual({ bucket: 'evidence', key: 'p.zip' });
    expect(() => parseS3Target('https://x', 'p.zip')).toThrow(/not an s3:\/\/bucket\/prefix/);
  });

  it('completes through bursts of 429s, a 503 and a connection dropped mid-part; the stored object matches', async () => {
    const { ctx } = bigExecution();
    const attempts = new Map<string, number>();
    const nth = (k: string): number => {
      attempts.set(k, (attempts.get(k) ?? 0) + 1);
      return attempts.get(k)!;
    };
    const proxy = await startFaultProxy(s3url, (req, n, part) => {
      if (n < 3) return { status: 429, code: 'SlowDown' }; // a burst on CreateMultipartUpload
      if (part === 2 && nth('p2') === 1) return 'drop'; // connection cut mid-body
      if (part === 3 && nth('p3') <= 3) return { status: 429, code: 'SlowDown' };
      if (req.method === 'POST' && req.url?.includes('uploadId=') && nth('complete') === 1) return { status: 503, code: 'ServiceUnavailable' };
      return 'pass';
    });
    try {
      const out = mkdtempSync(join(tmpdir(), 'packs-'));
      const r = await exportPack(ctx, {
        executionId: 'ex_01jf8z6v3k9q2w7e5r4t1y0u8i',
        output: join(out, 'pack.zip'),
        to: 's3://evidence/runs',
        upload: { endpoint: proxy.url, ...creds, partSize: 5 * 1024 * 1024, baseDelayMs: 5 },
      });
      expect(r.upload).toMatchObject({ bucket: 'evidence', key: 'runs/pack.zip', parts: 3, resumedParts: 0 });
      expect(r.upload!.retries).toBeGreaterThanOrEqual(6);
      expect(proxy.seen.filter((s) => s.fault === 'drop')).toHaveLength(1);
      expect(await storedSha('runs/pack.zip')).toBe(r.sha256);
      expect(existsSync(uploadStatePath(r.path))).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  it('resumes an interrupted upload from its completed parts', async () => {
    const { ctx } = bigExecution();
    const out = mkdtempSync(join(tmpdir(), 'packs-'));
    const pack = (await exportPack(ctx, { executionId: 'ex_01jf8z6v3k9q2w7e5r4t1y0u8i', output: join(out, 'pack.zip') })).path;
    const opts = { to: 's3://evidence/resume', ...creds, partSize: 5 * 1024 * 1024, baseDelayMs: 5, maxAttempts: 3 };
    const broken = await startFaultProxy(s3url, (_req, _n, part) => (part === 3 ? { status: 500, code: 'InternalError' } : 'pass'));
    try {
      await expect(uploadPack(ctx, pack, { ...opts, endpoint: broken.url })).rejects.toMatchObject({
        code: 'UPLOAD_FAILED',
        hint: expect.stringMatching(/resumes from the 2 completed parts/),
      });
    } finally {
      await broken.close();
    }
    const state = JSON.parse(readFileSync(uploadStatePath(pack), 'utf8'));
    expect(state.parts.map((p: { PartNumber: number }) => p.PartNumber)).toEqual([1, 2]);
    const healthy = await startFaultProxy(s3url, () => 'pass');
    try {
      const r = await uploadPack(ctx, pack, { ...opts, endpoint: healthy.url });
      expect(r).toMatchObject({ parts: 3, resumedParts: 2 });
      expect(healthy.seen.filter((s) => s.partNumber !== null).map((s) => s.partNumber)).toEqual([3]);
      expect(healthy.seen.filter((s) => s.method === 'POST' && s.url.includes('uploads')).length).toBe(0); // no new multipart upload
      expect(await storedSha('resume/pack.zip')).toBe(createHash('sha256').update(readFileSync(pack)).digest('hex'));
    } finally {
      await healthy.close();
    }
  });
});
