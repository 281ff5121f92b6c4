// Pack signatures with real keys: first-use signing of shipped packs, sign/verify, a tampered pack
// (one byte changed after signing) refused at load with nothing it says applied, --key signing.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, listPacks, packDigest, readPack, signPackOp, verifyPackOp } from '../../../src/policy/packs/index.js';
import type { Session } from '../../../src/tenancy/index.js';
import { copyPacks, inputFor, tempSession } from './helpers.js';

let s: Session;
let packs: string;
beforeAll(async () => {
  packs = copyPacks();
  s = await tempSession({ MAESTRO_PACKS_DIR: packs });
});
afterAll(() => s.close());

function flipOneByte(path: string): void {
  const buf = readFileSync(path);
  const i = buf.indexOf('concurrency quota');
  buf[i] = buf[i]! ^ 0x20; // 'c' → 'C'
  writeFileSync(path, buf);
}

describe('pack signatures', () => {
  it('shipped packs are signed on first use and verify', async () => {
    const list = await listPacks(s);
    expect(list.map((p) => [p.id, p.signature, p.enabled])).toEqual([
      ['budget', 'valid', true], ['quota', 'valid', true], ['rbac', 'valid', true],
      ['residency', 'valid', true], ['resource-class', 'valid', true], ['sandbox-required', 'valid', true],
    ]);
    const v = await verifyPackOp(s, 'quota');
    expect(v.valid).toBe(true);
    expect(JSON.parse(readFileSync(v.path, 'utf8')).mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
  });

  it('the digest is a canonical listing of the files, independent of read order', () => {
    const p = readPack(join(packs, 'quota'), 'shipped', packs);
    const reversed = new Map([...p.files.entries()].reverse());
    expect(packDigest(reversed)).toBe(p.digest);
    expect(p.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('a pack changed by one byte after signing is refused and nothing it says is applied', async () => {
    await signPackOp(s, 'quota');
    flipOneByte(join(packs, 'quota', 'policy.rego'));
    const v = await verifyPackOp(s, 'quota');
    expect(v.valid).toBe(false);
    expect(v.signature).toBe('invalid');
    expect(v.detail).toContain('changed after signing');
    const input = inputFor(s, { tenant: { ...s.tenant, maxConcurrent: 1, dailyBudgetMicros: 1e8 }, activeExecutions: ['ex_1'] });
    const d = await decide(s, { action: 'run', input });
    expect(d.outcome).toBe('deny');
    expect(d.failClosed).toBe(true);
    expect(d.reasons).toHaveLength(1);
    expect(d.reasons[0]!.pack).toBe('quota');
    expect(d.reasons[0]!.rule).toBe('signature');
    expect(d.reasons[0]!.message).toMatch(/^pack quota refused: its signature does not verify/);
    expect(d.packs.find((p) => p.id === 'quota')!.verdict).toBe('refused');
    expect((await listPacks(s)).find((p) => p.id === 'quota')!.signature).toBe('invalid');
    // Re-signing the change on purpose makes it valid again, and its (changed) message applies.
    await signPackOp(s, 'quota');
    const again = await decide(s, { action: 'run', input });
    expect(again.reasons.map((r) => r.message)).toEqual(['quota: tenant default at Concurrency quota (1/1 running: ex_1)']);
  });

  it('--key signs with another P-256 key, which becomes trusted for packs here', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const keyFile = join(mkdtempSync(join(tmpdir(), 'mc-key-')), 'pack.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const r = await signPackOp(s, 'budget', { key: keyFile });
    const v = await verifyPackOp(s, 'budget');
    expect(v.valid).toBe(true);
    expect(v.keyId).toBe(r.keyId);
  });

  it('refuses a non-P-256 key with a usage error', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const keyFile = join(mkdtempSync(join(tmpdir(), 'mc-key-')), 'ed.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await expect(signPackOp(s, 'budget', { key: keyFile })).rejects.toMatchObject({ code: 'PACK_KEY_UNSUPPORTED', exitCode: 2 });
  });

  it('an unknown pack is not found (exit 5)', async () => {
    await expect(verifyPackOp(s, 'nope')).rejects.toMatchObject({ code: 'PACK_NOT_FOUND', exitCode: 5 });
  });
});
