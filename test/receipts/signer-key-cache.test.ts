/** The signer's self-check parses each public key once, in a bounded cache, and still refuses a mismatched key. */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SigningKey } from '../../src/receipts/keys.js';
import { LocalKeySigner, PUBLIC_KEY_CACHE_SIZE, publicKeyCacheSize } from '../../src/receipts/signer.js';

function key(i: number): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { id: `k${i}`, name: `k${i}`, privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string };
}

describe('the signer’s public key cache', () => {
  it('holds at most PUBLIC_KEY_CACHE_SIZE keys however many sign', async () => {
    const data = Buffer.from('statement');
    for (let i = 0; i < PUBLIC_KEY_CACHE_SIZE + 6; i++) {
      const sig = await new LocalKeySigner(key(i)).sign(data);
      expect(sig.signature.length).toBeGreaterThan(0);
    }
    expect(publicKeyCacheSize()).toBe(PUBLIC_KEY_CACHE_SIZE);
  });

  it('a key whose public half does not match its private half fails the self-check, cached or not', async () => {
    const a = key(1000);
    const b = key(1001);
    await new LocalKeySigner(b).sign(Buffer.from('x')); // b's public key is now cached
    await expect(new LocalKeySigner({ ...a, publicKeyPem: b.publicKeyPem }).sign(Buffer.from('x'))).rejects.toThrow(/self-check/);
  });
});
