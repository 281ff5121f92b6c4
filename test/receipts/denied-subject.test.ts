/**
 * A run with no logs or outputs (a denied run) still gets an in-toto statement with a subject (its
 * manifest); a statement with zero subjects is refused by verification (and so by `disclose verify`).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildStatement,
  canonicalJson,
  ensureSigningKey,
  IN_TOTO_PAYLOAD_TYPE,
  loadSigningKey,
  readReceipt,
  signDsseBundle,
  trustedKeysFromHome,
  verifyReceipt,
  writeReceipt,
} from '../../src/receipts/index.js';
import { fixtureContext, makeExecution } from './fixtures.js';

describe('receipt subjects', () => {
  it('a denied run (no tasks ran) attests its manifest', async () => {
    const { ctx, dir, record } = makeExecution(fixtureContext(), { tasks: [] });
    const statement = await buildStatement(dir, { ...record, status: 'denied' });
    expect(statement.subject).toHaveLength(1);
    expect(statement.subject[0]!.name).toBe('manifest.yaml');
    ensureSigningKey(ctx);
    await writeReceipt(ctx, dir, { ...record, status: 'denied' });
    // disclose verify passes the pack's manifest.yaml digest with the logs and outputs.
    const v = await verifyReceipt(readReceipt(dir), trustedKeysFromHome(ctx), { subjects: new Map([['manifest.yaml', statement.subject[0]!.digest.sha256]]) });
    expect(v.checks.filter((c) => !c.ok)).toEqual([]);
    const wrong = await verifyReceipt(readReceipt(dir), trustedKeysFromHome(ctx), { subjects: new Map([['manifest.yaml', '0'.repeat(64)]]) });
    expect(wrong.ok).toBe(false);
  });

  it('without a manifest either, the subject is the execution itself, and it is checked', async () => {
    const { ctx, dir, record } = makeExecution(fixtureContext(), { tasks: [] });
    rmSync(join(dir, 'manifest.yaml'));
    const statement = await buildStatement(dir, record);
    expect(statement.subject.map((s) => s.name)).toEqual([`execution:${record.id}`]);
    ensureSigningKey(ctx);
    await writeReceipt(ctx, dir, record);
    expect((await verifyReceipt(readReceipt(dir), trustedKeysFromHome(ctx), { subjects: new Map() })).ok).toBe(true);
    // Signed, but naming another execution: refused.
    const forged = { ...statement, subject: [{ name: 'execution:ex_other', digest: statement.subject[0]!.digest }] };
    const bundle = await signDsseBundle(loadSigningKey(ctx), Buffer.from(canonicalJson(forged)), IN_TOTO_PAYLOAD_TYPE);
    const v = await verifyReceipt(JSON.stringify(bundle), trustedKeysFromHome(ctx), { subjects: new Map() });
    expect(v.ok).toBe(false);
    expect(v.checks.find((c) => c.name === 'receipt.subjects')?.detail).toMatch(/does not match execution/);
  });

  it('a validly signed statement with zero subjects is refused', async () => {
    const { ctx, dir, record } = makeExecution(fixtureContext(), { tasks: [] });
    ensureSigningKey(ctx);
    const statement = { ...(await buildStatement(dir, record)), subject: [] };
    const bundle = await signDsseBundle(loadSigningKey(ctx), Buffer.from(canonicalJson(statement)), IN_TOTO_PAYLOAD_TYPE);
    const v = await verifyReceipt(JSON.stringify(bundle), trustedKeysFromHome(ctx));
    expect(v.ok).toBe(false);
    expect(v.checks.find((c) => c.name === 'receipt.statement')).toMatchObject({ ok: false, detail: expect.stringMatching(/subject is empty/) });
    // The signature itself is fine: only the statement is refused.
    expect(v.checks.filter((c) => c.name !== 'receipt.statement').every((c) => c.ok)).toBe(true);
  });
});
