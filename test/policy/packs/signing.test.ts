// Pack signatures with real keys: first-use signing of shipped packs, sign/verify, a tampered pack
// (one byte changed after signing) refused at load with nothing it says applied, --key signing.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, listPacks, packDigest, readPack, signaturePath, signPackOp, verifyPackOp } from '../../../src/policy/packs/index.js';
import { packStatement } from '../../../src/policy/packs/signing.js';
import { canonicalJson, ensureSigningKey, IN_TOTO_PAYLOAD_TYPE, loadSigningKey, signDsseBundle } from '../../../src/receipts/index.js';
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
      ['budget', 'valid', true],
      ['quota', 'valid', true],
      ['rbac', 'valid', true],
      ['residency', 'valid', true],
      ['resource-class', 'valid', true],
      ['sandbox-required', 'valid', true],
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
    expect(again.reasons.map((r) => r.message)).toEqual(['tenant default at Concurrency quota (1/1 running: ex_1)']);
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

  it('a first-use (auto) signature does not excuse a tampered pack in the same version', async () => {
    const p2 = copyPacks();
    const t = await tempSession({ MAESTRO_PACKS_DIR: p2 });
    try {
      expect((await listPacks(t)).every((p) => p.signature === 'valid')).toBe(true); // auto-signed
      flipOneByte(join(p2, 'quota', 'policy.rego'));
      expect((await listPacks(t)).find((p) => p.id === 'quota')!.signature).toBe('invalid');
      const d = await decide(t, { action: 'run', input: inputFor(t) });
      expect(d.reasons.map((r) => `${r.pack}/${r.rule}`)).toEqual(['quota/signature']);
    } finally {
      t.close();
    }
  });

  it('an auto signature made by another maestro version is renewed when the shipped pack changed (upgrade)', async () => {
    const p2 = copyPacks();
    const t = await tempSession({ MAESTRO_PACKS_DIR: p2 });
    try {
      const old = readPack(join(p2, 'rbac'), 'shipped', p2);
      const statement = packStatement(t.ctx, old, true) as { predicate: Record<string, unknown> };
      statement.predicate.maestroVersion = '0.0.1-old';
      ensureSigningKey(t.ctx);
      const bundle = await signDsseBundle(loadSigningKey(t.ctx), Buffer.from(canonicalJson(statement)), IN_TOTO_PAYLOAD_TYPE);
      mkdirSync(join(t.ctx.home, 'pack-signatures'), { recursive: true });
      writeFileSync(signaturePath(t.ctx, 'rbac'), JSON.stringify(bundle));
      writeFileSync(join(p2, 'rbac', 'policy.rego'), `${readFileSync(join(p2, 'rbac', 'policy.rego'), 'utf8')}\n# 1.0.1\n`);
      const row = (await listPacks(t)).find((p) => p.id === 'rbac')!;
      expect(row.signature).toBe('valid');
      expect(row.digest).not.toBe(old.digest);
    } finally {
      t.close();
    }
  });
});
