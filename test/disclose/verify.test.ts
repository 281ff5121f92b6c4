import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../src/core/context.js';
import { exportPack, type VerifyResult, verifyPack } from '../../src/disclose/index.js';
import { ensureSigningKey } from '../../src/receipts/index.js';
import { fixtureContext, makeExecution } from '../receipts/fixtures.js';
import { flip, patchBytes, readAll, rezip, writeEntries } from './helpers.js';

const ID = 'ex_01jf8z6v3k9q2w7e5r4t1y0u8i';
let ctx: Context;
let pack: string;
let work: string;

beforeAll(async () => {
  const f = makeExecution(fixtureContext());
  ctx = f.ctx;
  ensureSigningKey(ctx);
  work = mkdtempSync(join(tmpdir(), 'verify-'));
  pack = (await exportPack(ctx, { executionId: ID, output: join(work, 'pack.zip') })).path;
});

const failed = (r: VerifyResult) => r.checks.filter((c) => !c.ok);
let n = 0;
const tmp = (): string => join(work, `t${++n}.zip`);

describe('disclose verify', () => {
  it('passes a fresh pack with the engine key, and with the exported public key', async () => {
    const r = await verifyPack(ctx, pack);
    expect(failed(r)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => c.name)).toEqual([
      'zip.layout',
      'zip.structure',
      'index.bundle',
      'index.signature',
      'index.contentHash',
      'index.coverage',
      'entries',
      'receipt.bundle',
      'receipt.signature',
      'receipt.payloadType',
      'receipt.statement',
      'receipt.subjects',
    ]);
    const pub = join(work, 'pub.pem');
    writeFileSync(pub, readFileSync(join(ctx.home, 'keys', 'default.pub')));
    const other = fixtureContext(); // a state home with no keys at all: only --key is trusted
    expect((await verifyPack(other, pack, { keyFiles: [pub] })).ok).toBe(true);
    const none = await verifyPack(other, pack);
    expect(none.ok).toBe(false);
    expect(failed(none)[0]!.detail).toMatch(/no keys are trusted \(pass --key pub.pem\)/);
  });

  const contentKinds = ['manifest.yaml', 'plan.json', 'decisions.json', 'execution.json', 'logs/build.ndjson', 'out/build/app.bin', 'out/test/junit.xml'];
  for (const name of contentKinds) {
    it(`detects a flipped byte in ${name} and names it`, async () => {
      const p = tmp();
      await rezip(pack, p, (e) => e.set(name, flip(e.get(name)!)));
      const r = await verifyPack(ctx, p);
      expect(r.ok).toBe(false);
      const entry = r.checks.find((c) => c.name === `entry:${name}`)!;
      expect(entry.ok).toBe(false);
      expect(entry.detail).toMatch(new RegExp(`^${name.replace('.', '\\.')}: sha256 is [0-9a-f]{64}, the index says [0-9a-f]{64}$`));
      expect(r.checks.find((c) => c.name === 'entries')!.detail).toContain(name);
      if (name.startsWith('logs/') || name.startsWith('out/'))
        expect(r.checks.find((c) => c.name === 'receipt.subjects')!.detail).toContain(`subject ${name}: sha256 is`);
    });
  }

  it('detects a flipped byte in the receipt (entry and signature)', async () => {
    const p = tmp();
    await rezip(pack, p, (e) => {
      const b = JSON.parse(e.get('receipt.sigstore.json')!.toString());
      b.dsseEnvelope.payload = flip(Buffer.from(b.dsseEnvelope.payload, 'base64'), 0.9).toString('base64');
      e.set('receipt.sigstore.json', Buffer.from(JSON.stringify(b)));
    });
    const names = failed(await verifyPack(ctx, p)).map((c) => c.name);
    expect(names).toContain('entry:receipt.sigstore.json');
    expect(names).toContain('receipt.signature');
  });

  it('detects a flipped byte in index.json (its signature fails)', async () => {
    const p = tmp();
    await rezip(pack, p, (e) => e.set('index.json', Buffer.from(e.get('index.json')!.toString().replace('"algorithm": "sha256"', '"algorithm": "sha257"'))));
    const f = failed(await verifyPack(ctx, p));
    expect(f.map((c) => c.name)).toContain('index.signature');
    expect(f.find((c) => c.name === 'index.signature')!.detail).toMatch(/signature does not verify with trusted key/);
  });

  it('detects a flipped byte in index.sig.json', async () => {
    const p = tmp();
    await rezip(pack, p, (e) => {
      const b = JSON.parse(e.get('index.sig.json')!.toString());
      b.messageSignature.signature = flip(Buffer.from(b.messageSignature.signature, 'base64'), 0.6).toString('base64');
      e.set('index.sig.json', Buffer.from(JSON.stringify(b)));
    });
    expect(failed(await verifyPack(ctx, p)).map((c) => c.name)).toContain('index.signature');
  });

  it('detects a flipped byte in the raw zip data', async () => {
    const p = tmp();
    const raw = readFileSync(pack);
    const at = raw.indexOf(Buffer.from('out/build/app.bin')) + 'out/build/app.bin'.length + 2; // inside the first file data after that local header
    raw[at] = raw[at]! ^ 0xff;
    writeFileSync(p, raw);
    const r = await verifyPack(ctx, p);
    expect(r.ok).toBe(false);
    expect(failed(r).some((c) => c.name === 'entry:out/build/app.bin')).toBe(true);
  });

  it('detects a dropped entry and an added entry', async () => {
    const dropped = tmp();
    await rezip(pack, dropped, (e) => e.delete('out/test/junit.xml'));
    const d = failed(await verifyPack(ctx, dropped)).find((c) => c.name === 'index.coverage')!;
    expect(d.detail).toBe('index entry out/test/junit.xml is missing from the zip');
    const added = tmp();
    await rezip(pack, added, (e) => e.set('out/build/evil.sh', Buffer.from('#!/bin/sh\n')));
    const a = failed(await verifyPack(ctx, added)).find((c) => c.name === 'index.coverage')!;
    expect(a.detail).toBe('entry out/build/evil.sh is not in the index');
  });

  it('detects a signature swapped in from another pack', async () => {
    const f2 = makeExecution(fixtureContext(ctx.home), { id: 'ex_01jf8z6v3k9q2w7e5r4t1y0u9z', tasks: [{ id: 'other', lines: 2 }] });
    const other = await exportPack(f2.ctx, { executionId: 'ex_01jf8z6v3k9q2w7e5r4t1y0u9z', output: join(work, 'other.zip') });
    const otherSig = (await readAll(other.path)).get('index.sig.json')!;
    const p = tmp();
    await rezip(pack, p, (e) => e.set('index.sig.json', otherSig));
    const f = failed(await verifyPack(ctx, p));
    expect(f.map((c) => c.name)).toEqual(['index.signature']);
  });

  it('fails every signature with the wrong key, naming the signer and the trusted key', async () => {
    const wrong = join(work, 'wrong.pem');
    writeFileSync(wrong, generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }));
    const f = failed(await verifyPack(ctx, pack, { keyFiles: [wrong] }));
    expect(f.map((c) => c.name)).toEqual(['index.signature', 'receipt.signature']);
    expect(f[0]!.detail).toMatch(/^signed by key [0-9a-f]{64}, which is not a trusted key; trusted: [0-9a-f]{16}$/);
  });
});

describe('malicious zips are refused before any data is read', () => {
  const structure = async (p: string, opts = {}) => {
    const r = await verifyPack(ctx, p, opts);
    expect(r.ok).toBe(false);
    const s = r.checks.find((c) => c.name === 'zip.structure')!;
    expect(s.ok).toBe(false);
    expect(r.checks.map((c) => c.name)).toEqual(['zip.layout', 'zip.structure']); // nothing read past the directory
    return s.detail;
  };
  const data = Buffer.from('x');

  it('path traversal and absolute paths', async () => {
    const p = tmp();
    await writeEntries(p, [
      { name: 'xx/evil.txt', data },
      { name: 'xetc/passwd', data },
    ]);
    patchBytes(p, 'xx/evil.txt', '../evil.txt');
    patchBytes(p, 'xetc/passwd', '/etc/passwd');
    const d = await structure(p);
    expect(d).toContain('entry "../evil.txt": path traversal ("..")');
    expect(d).toContain('entry "/etc/passwd": absolute path');
  });

  it('duplicate names', async () => {
    const p = tmp();
    await writeEntries(p, [
      { name: 'a.txt', data },
      { name: 'b.txt', data },
    ]);
    patchBytes(p, 'b.txt', 'a.txt');
    expect(await structure(p)).toContain('entry "a.txt": duplicate name');
  });

  it('symlink entries', async () => {
    const p = tmp();
    await writeEntries(p, [{ name: 'out/link', data: Buffer.from('/etc/shadow'), mode: 0o120777 }]);
    expect(await structure(p)).toBe('entry "out/link": symlink entries are refused');
  });

  it('zip bombs: compression ratio and total size', async () => {
    const p = tmp();
    await writeEntries(p, [{ name: 'zeros.bin', data: Buffer.alloc(8 * 1024 * 1024), level: 9 }]);
    expect(await structure(p, { maxRatio: 100 })).toMatch(/entry "zeros.bin": compression ratio \d+:1 exceeds the limit 100:1/);
    expect(await structure(p, { maxTotalBytes: 1024 * 1024 })).toMatch(/total uncompressed size 8388608 bytes exceeds the limit 1048576/);
  });

  it('a central directory that lies about sizes (default limits)', async () => {
    const p = tmp();
    await writeEntries(p, [{ name: 'a.bin', data: Buffer.alloc(2 * 1024 * 1024, 1), level: 9 }]);
    const raw = readFileSync(p);
    const cd = raw.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    raw.writeUInt32LE(0xfffffff0, cd + 24); // uncompressed size
    writeFileSync(p, raw);
    expect(await structure(p)).toMatch(/compression ratio \d+:1 exceeds the limit 1000:1/);
  });

  it('not a zip at all', async () => {
    const p = tmp();
    writeFileSync(p, 'hello');
    expect(await structure(p)).toMatch(/^not a readable zip/);
  });

  it('a missing pack is not found (exit 5)', async () => {
    await expect(verifyPack(ctx, join(work, 'nope.zip'))).rejects.toMatchObject({ code: 'PACK_NOT_FOUND', exitCode: 5 });
  });
});
