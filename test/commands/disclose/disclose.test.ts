import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { flip, rezip } from '../../disclose/helpers.js';
import { fixtureContext, makeExecution } from '../../receipts/fixtures.js';
import { ensureBuild, maestro, maestroAsync } from './cli.js';

const ID = 'ex_01jf8z6v3k9q2w7e5r4t1y0u8i';
let home: string;

beforeAll(() => {
  ensureBuild();
  home = mkdtempSync(join(tmpdir(), 'mh-e2e-'));
  expect(maestro(['init', '--json'], { home }).status).toBe(0);
  makeExecution(fixtureContext(home));
}, 120_000);

describe('maestro disclose (real CLI)', () => {
  it('exports with --json (nothing else on stdout or stderr) and verifies with exit 0', () => {
    const e = maestro(['disclose', 'export', ID, '-o', 'pack.zip', '--json'], { home });
    expect(e.stderr).toBe('');
    expect(e.status).toBe(0);
    const r = JSON.parse(e.stdout);
    expect(r).toMatchObject({ path: join(home, 'pack.zip'), entries: 12, executionId: ID });
    expect(r.sha256).toBe(
      createHash('sha256')
        .update(readFileSync(join(home, 'pack.zip')))
        .digest('hex'),
    );
    const v = maestro(['disclose', 'verify', 'pack.zip', '--json'], { home });
    expect(v.status).toBe(0);
    const vr = JSON.parse(v.stdout);
    expect(vr.ok).toBe(true);
    expect(vr.checks.every((c: { ok: boolean; name: string; detail: string }) => c.ok && c.name && c.detail)).toBe(true);
  });

  it('prints plain progress lines on stderr without a TTY, and a human summary', () => {
    const e = maestro(['disclose', 'export', ID, '-o', 'human.zip'], { home });
    expect(e.status).toBe(0);
    expect(e.stderr).toMatch(/^hashing 100%/m);
    expect(e.stderr).toMatch(/^writing 100% .*ETA/m);
    expect(e.stdout).toMatch(/sha256\s+[0-9a-f]{64}/);
    const again = maestro(['disclose', 'export', ID, '-o', 'human2.zip', '--json'], { home });
    expect(readFileSync(join(home, 'human2.zip')).equals(readFileSync(join(home, 'human.zip')))).toBe(true);
    expect(again.status).toBe(0);
  });

  it('verifies with an exported public key in a state home that has no keys', () => {
    expect(maestro(['keys', 'export-public', '-o', 'pub.pem'], { home }).status).toBe(0);
    const elsewhere = mkdtempSync(join(tmpdir(), 'mh-ci-'));
    writeFileSync(join(elsewhere, 'pub.pem'), readFileSync(join(home, 'pub.pem')));
    writeFileSync(join(elsewhere, 'pack.zip'), readFileSync(join(home, 'pack.zip')));
    const v = maestro(['disclose', 'verify', '--key', 'pub.pem', 'pack.zip'], { home: elsewhere }); // flag before the argument
    expect(maestro(['disclose', 'verify', 'pack.zip', '--key', 'pub.pem', '--key', 'pub.pem', '--json'], { home: elsewhere }).status).toBe(0);
    expect(v.stdout).toMatch(/^OK: .*pack.zip verified/m);
    expect(v.status).toBe(0);
    const noKey = maestro(['disclose', 'verify', 'pack.zip'], { home: elsewhere });
    expect(noKey.status).toBe(1);
    expect(noKey.stdout).toMatch(/✗ index.signature: .*pass --key pub.pem/);
  });

  it('exits 1 naming the tampered entry', async () => {
    await rezip(join(home, 'pack.zip'), join(home, 'bad.zip'), (e) => e.set('logs/build.ndjson', flip(e.get('logs/build.ndjson')!)));
    const v = maestro(['disclose', 'verify', 'bad.zip'], { home });
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(/✗ entry:logs\/build.ndjson: logs\/build.ndjson: sha256 is [0-9a-f]{64}, the index says/);
    expect(v.stdout).toMatch(/^FAILED: \d+ of \d+ checks failed/m);
    const j = JSON.parse(maestro(['disclose', 'verify', 'bad.zip', '--json'], { home }).stdout);
    expect(j.ok).toBe(false);
  });

  it('uploads with --to/--endpoint (credentials from the environment) and reports it in --json', async () => {
    // @ts-expect-error -- s3rver ships no types
    const { default: S3rver } = await import('s3rver');
    const server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: mkdtempSync(join(tmpdir(), 's3rver-')),
      configureBuckets: [{ name: 'evidence' }],
    });
    const { port } = await server.run();
    try {
      const r = await maestroAsync(['disclose', 'export', ID, '-o', 'up.zip', '--to', 's3://evidence/ci', '--endpoint', `http://127.0.0.1:${port}`, '--json'], {
        home,
        env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout).upload).toMatchObject({ bucket: 'evidence', key: 'ci/up.zip', url: 's3://evidence/ci/up.zip', parts: 1 });
      const bad = maestro(['disclose', 'export', ID, '-o', 'up.zip', '--to', 'evidence/ci'], { home });
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/not an s3:\/\/bucket\/prefix target/);
    } finally {
      server.httpServer.closeAllConnections();
      await server.close();
    }
  });

  it('exit 5 for an unknown execution or pack, 2 for a bad id', () => {
    const a = maestro(['disclose', 'export', 'ex_00000000000000000000000000'], { home });
    expect(a.status).toBe(5);
    expect(a.stderr).toMatch(/^error: execution ex_00000000000000000000000000 not found/);
    expect(maestro(['disclose', 'verify', 'nope.zip'], { home }).status).toBe(5);
    expect(maestro(['disclose', 'export', '../x'], { home }).status).toBe(2);
  });
});
