/**
 * Verification against the database's trusted list (ADR 0030): a key not on it fails, a revoked key
 * fails (whenever it signed: no trusted timestamp), a trusted key passes. Real keys, real signatures.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trustedKeysOf } from '../../src/engine/keys.js';
import { ensureSigningKey, readPublicKeyPem, readReceipt, verifyReceipt, writeReceipt } from '../../src/receipts/index.js';
import { openStore } from '../../src/store/index.js';
import { enrolTrustedKey, revokeTrustedKey } from '../../src/store/keys.js';
import { fixtureContext, makeExecution } from './fixtures.js';

describe('receipt verification trusts exactly the trusted list', () => {
  it('unknown key fails; trusted passes; revoked fails naming the revocation', async () => {
    const ctx = fixtureContext();
    const { dir, record } = makeExecution(ctx);
    ensureSigningKey(ctx);
    await writeReceipt(ctx, dir, record);
    const bundle = readReceipt(dir);
    const store = openStore({ home: mkdtempSync(join(tmpdir(), 'mh-trust-db-')) });
    try {
      // Another worker's key is trusted, ours is not (yet).
      const other = fixtureContext();
      ensureSigningKey(other);
      const otherKey = readPublicKeyPem(other);
      enrolTrustedKey(store.db, { id: otherKey.info.id, pem: otherKey.pem, algorithm: 'ecdsa-p256-sha256', owner: 'worker:w2', at: '2026-11-28T10:00:00Z' });
      const unknown = await verifyReceipt(bundle, trustedKeysOf(store));
      expect(unknown.ok).toBe(false);
      expect(unknown.checks.find((c) => c.name === 'receipt.signature')?.detail).toMatch(/which is not a trusted key/);

      const own = readPublicKeyPem(ctx);
      enrolTrustedKey(store.db, { id: own.info.id, pem: own.pem, algorithm: 'ecdsa-p256-sha256', owner: 'worker:w1', at: '2026-11-28T10:00:00Z' });
      const trusted = await verifyReceipt(bundle, trustedKeysOf(store));
      expect(trusted.checks.filter((c) => !c.ok)).toEqual([]);
      expect(trusted.ok).toBe(true);

      revokeTrustedKey(store.db, own.info.id, { at: '2026-11-28T11:00:00Z', reason: 'worker w1 decommissioned', by: 'admin' });
      const revoked = await verifyReceipt(bundle, trustedKeysOf(store));
      expect(revoked.ok).toBe(false);
      expect(revoked.checks.find((c) => c.name === 'receipt.signature')?.detail).toMatch(
        /revoked at 2026-11-28T11:00:00Z \(worker w1 decommissioned\); signatures by a revoked key are not trusted/,
      );
    } finally {
      store.close();
    }
  });
});
