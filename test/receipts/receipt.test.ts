import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ensureSigningKey,
  generateKey,
  IN_TOTO_PAYLOAD_TYPE,
  listKeys,
  readReceipt,
  type TrustedKey,
  trustedKeysFromHome,
  verifyReceipt,
  writeReceipt,
} from '../../src/receipts/index.js';
import { fixtureContext, makeExecution } from './fixtures.js';

// biome-ignore lint/suspicious/noExplicitAny: a parsed receipt bundle or in-toto statement, navigated freely by the assertions (a wrong path fails the test)
type Doc = Record<string, any>;

function tamper(bundleText: string, edit: (b: Doc) => void): string {
  const b = JSON.parse(bundleText) as Doc;
  edit(b);
  return JSON.stringify(b);
}

describe('keys', () => {
  it('creates the default key once, private key 0600, id = sha256 of the DER SPKI', () => {
    const ctx = fixtureContext();
    const a = ensureSigningKey(ctx);
    const b = ensureSigningKey(ctx);
    expect(b.id).toBe(a.id);
    expect(a.default).toBe(true);
    expect(statSync(join(ctx.home, 'keys', 'default.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(ctx.home, 'keys')).mode & 0o777).toBe(0o700);
    const der = createPublicKey(readFileSync(a.publicKeyPath, 'utf8')).export({ type: 'spki', format: 'der' });
    expect(a.id).toBe(createHash('sha256').update(der).digest('hex'));
  });

  it('generates named keys, refuses duplicates and bad names', () => {
    const ctx = fixtureContext();
    ensureSigningKey(ctx);
    const k = generateKey(ctx, { name: 'ci' });
    expect(k.default).toBe(false);
    expect(() => generateKey(ctx, { name: 'ci' })).toThrow(/already exists/);
    expect(() => generateKey(ctx, { name: '../x' })).toThrow(/invalid key name/);
    expect(listKeys(ctx).map((x) => x.name)).toEqual(['ci', 'default']);
  });
});

describe('receipts', () => {
  it('signs an in-toto SLSA v1 statement as DSSE in a sigstore v0.3 bundle, PAE per the DSSE spec', async () => {
    const { ctx, dir, record } = makeExecution(fixtureContext());
    const key = ensureSigningKey(ctx);
    const r = await writeReceipt(ctx, dir, record);
    expect(r.keyId).toBe(key.id);
    const bundle = JSON.parse(readReceipt(dir)) as Doc;
    expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(bundle.verificationMaterial.publicKey.hint).toBe(key.id);
    const env = bundle.dsseEnvelope;
    expect(env.payloadType).toBe(IN_TOTO_PAYLOAD_TYPE);
    const payload = Buffer.from(env.payload, 'base64');
    // PAE computed here independently of any library.
    const pae = Buffer.concat([Buffer.from(`DSSEv1 ${IN_TOTO_PAYLOAD_TYPE.length} ${IN_TOTO_PAYLOAD_TYPE} ${payload.length} `), payload]);
    expect(verify('sha256', pae, createPublicKey(readFileSync(key.publicKeyPath)), Buffer.from(env.signatures[0].sig, 'base64'))).toBe(true);
    const st = JSON.parse(payload.toString()) as Doc;
    expect(st._type).toBe('https://in-toto.io/Statement/v1');
    expect(st.predicateType).toBe('https://slsa.dev/provenance/v1');
    expect(st.subject.map((s: { name: string }) => s.name)).toEqual([
      'logs/build.ndjson',
      'logs/test.ndjson',
      'out/build/app.bin',
      'out/build/report/summary.txt',
      'out/test/junit.xml',
    ]);
    expect(st.subject[2].digest.sha256).toBe(
      createHash('sha256')
        .update(Buffer.from([0, 1, 2, 3, 255]))
        .digest('hex'),
    );
    expect(st.predicate.buildDefinition.externalParameters.parameters).toEqual({ env: 'staging' });
    expect(st.predicate.buildDefinition.externalParameters.manifest.digest.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(st.predicate.buildDefinition.resolvedDependencies[0]).toMatchObject({ name: 'policy-pack:budget', digest: { sha256: 'ab'.repeat(32) } });
    expect(st.predicate.runDetails.metadata).toEqual({ invocationId: record.id, startedOn: record.startedAt, finishedOn: record.finishedAt });
    expect(st.predicate.runDetails.byproducts.map((b: { name: string }) => b.name)).toEqual(['decisions', 'cost', 'sandbox', 'usage', 'audited-writes']);
    expect(r.statementDigest).toBe(createHash('sha256').update(payload).digest('hex'));
  });

  it('is deterministic: the same execution and key give the same receipt bytes', async () => {
    const { ctx, dir, record } = makeExecution(fixtureContext());
    ensureSigningKey(ctx);
    await writeReceipt(ctx, dir, record);
    const first = readReceipt(dir);
    await writeReceipt(ctx, dir, record);
    expect(readReceipt(dir)).toBe(first);
  });

  it('verifies against trusted keys and reports each failure precisely', async () => {
    const { ctx, dir, record } = makeExecution(fixtureContext());
    ensureSigningKey(ctx);
    await writeReceipt(ctx, dir, record);
    const text = readReceipt(dir);
    const trusted = trustedKeysFromHome(ctx);
    const ok = await verifyReceipt(text, trusted);
    expect(ok.ok).toBe(true);
    expect(ok.checks.map((c) => c.name)).toEqual(['receipt.bundle', 'receipt.signature', 'receipt.payloadType', 'receipt.statement']);

    const other = fixtureContext();
    ensureSigningKey(other);
    const wrong = await verifyReceipt(text, trustedKeysFromHome(other));
    expect(wrong.ok).toBe(false);
    expect(wrong.checks.find((c) => !c.ok)!.detail).toMatch(/not a trusted key/);

    const flipped = tamper(text, (b) => {
      const p = Buffer.from(b.dsseEnvelope.payload, 'base64');
      p[p.length - 3] ^= 1;
      b.dsseEnvelope.payload = p.toString('base64');
    });
    const bad = await verifyReceipt(flipped, trusted);
    expect(bad.checks.find((c) => c.name === 'receipt.signature')!.ok).toBe(false);

    const retyped = tamper(text, (b) => (b.dsseEnvelope.payloadType = 'application/json'));
    const r2 = await verifyReceipt(retyped, trusted);
    expect(r2.ok).toBe(false);
    expect(r2.checks.find((c) => c.name === 'receipt.signature')!.ok).toBe(false);
    expect(r2.checks.find((c) => c.name === 'receipt.payloadType')!.detail).toMatch(/expected "application\/vnd.in-toto\+json"/);
  });

  it('checks subjects against the files they name', async () => {
    const { ctx, dir, record } = makeExecution(fixtureContext());
    ensureSigningKey(ctx);
    await writeReceipt(ctx, dir, record);
    const v = await verifyReceipt(readReceipt(dir), trustedKeysFromHome(ctx), { subjects: new Map([['logs/build.ndjson', '00'.repeat(32)]]) });
    const c = v.checks.find((x) => x.name === 'receipt.subjects')!;
    expect(c.ok).toBe(false);
    expect(c.detail).toMatch(/subject logs\/build.ndjson: sha256 is 0000/);
    expect(c.detail).toMatch(/subject out\/test\/junit.xml is missing/);
  });

  it('rejects a payload signed under another payload type (DSSE binds the type)', async () => {
    const { ctx, dir, record } = makeExecution(fixtureContext());
    ensureSigningKey(ctx);
    await writeReceipt(ctx, dir, record);
    const { signDsseBundle, loadSigningKey } = await import('../../src/receipts/index.js');
    const payload = Buffer.from(JSON.parse(readReceipt(dir)).dsseEnvelope.payload, 'base64');
    const b = await signDsseBundle(loadSigningKey(ctx), payload, 'text/plain');
    writeFileSync(join(dir, 'x.json'), JSON.stringify(b));
    const trusted: TrustedKey[] = trustedKeysFromHome(ctx);
    const v = await verifyReceipt(JSON.stringify(b), trusted);
    expect(v.checks.find((c) => c.name === 'receipt.signature')!.ok).toBe(true);
    expect(v.checks.find((c) => c.name === 'receipt.payloadType')!.ok).toBe(false);
    expect(v.ok).toBe(false);
  });
});

describe('runner-shaped records', () => {
  it('reads the runner record and policy decisions (list of decisions with pack ids and digests)', async () => {
    const { ctx, dir } = makeExecution(fixtureContext(), {
      decisions: [
        {
          id: 'd1',
          action: 'run',
          allow: true,
          packs: [
            { id: 'quota', version: '2.0.0', digest: `sha256:${'cd'.repeat(32)}`, verdict: 'allow' },
            { id: 'budget', version: '1.0.0', digest: 'ef'.repeat(32), verdict: 'allow' },
          ],
        },
      ],
    });
    ensureSigningKey(ctx);
    const record = {
      id: 'ex_01jf8z6v3k9q2w7e5r4t1y0u8i',
      tenant: 'default',
      tenantId: 't_1',
      subject: 'bob@local',
      workflow: 'demo',
      manifestDigest: 'x',
      status: 'succeeded',
      publishedAt: '2026-11-23T09:00:00.000Z',
      startedAt: null,
      finishedAt: '2026-11-23T09:05:00.000Z',
      sandbox: 'default',
      seccomp: { profile: 'default', arch: 'x86_64' },
      apparmor: null,
      tasks: [
        {
          id: 'build',
          status: 'succeeded',
          exitCode: 0,
          startedAt: null,
          finishedAt: null,
          usage: null,
          writes: [{ path: '/out/app.bin', size: 5, sha256: 'aa'.repeat(32) }],
          commandDigest: 'c',
        },
      ],
      cost: { estimatedMicros: 100, actualMicros: 90 },
    };
    const { receiptFinishedHook } = await import('../../src/receipts/index.js');
    await receiptFinishedHook(ctx)(record, dir);
    const st = JSON.parse(Buffer.from(JSON.parse(readReceipt(dir)).dsseEnvelope.payload, 'base64').toString());
    expect(st.predicate.buildDefinition.resolvedDependencies.map((d: { name: string; digest: { sha256: string } }) => [d.name, d.digest.sha256])).toEqual([
      ['policy-pack:budget', 'ef'.repeat(32)],
      ['policy-pack:quota', 'cd'.repeat(32)],
    ]);
    expect(st.predicate.runDetails.metadata.startedOn).toBe('2026-11-23T09:00:00.000Z');
    const bp = Object.fromEntries(st.predicate.runDetails.byproducts.map((b: { name: string; annotations: unknown }) => [b.name, b.annotations]));
    expect(bp.cost).toEqual({ estimate: { estimatedCostMicros: 120000 }, actual: { estimatedMicros: 100, actualMicros: 90 } });
    expect(bp.sandbox).toEqual({ profile: 'default', seccomp: { profile: 'default', arch: 'x86_64' }, apparmor: null });
    expect(bp['audited-writes'].writes).toEqual([{ task: 'build', path: '/out/app.bin', size: 5, sha256: 'aa'.repeat(32) }]);
  });
});
