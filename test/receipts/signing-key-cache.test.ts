/** The parsed signing key is reused between receipts and follows every change of the keys. */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ensureSigningKey, generateKey, keysDir, loadSigningKey, SIGNING_KEY_CACHE_MAX, signingKeyCacheSize } from '../../src/receipts/keys.js';
import { fixtureContext } from './fixtures.js';

// Directory and file times tick with the kernel's coarse clock: let one tick pass between changes.
const tick = () => sleep(30);

describe('the signing key cache', () => {
  it('returns the same parsed key while nothing changes, and the new default after a rotation', async () => {
    const ctx = fixtureContext();
    try {
      const first = ensureSigningKey(ctx);
      const a = loadSigningKey(ctx);
      expect(a.id).toBe(first.id);
      expect(loadSigningKey(ctx)).toBe(a); // the very same object: no re-parse
      await tick();
      const rotated = generateKey(ctx, { name: 'next', makeDefault: true });
      const b = loadSigningKey(ctx);
      expect(b.id).toBe(rotated.id);
      expect(b.id).not.toBe(a.id);
      // A reference by name still finds the old key.
      expect(loadSigningKey(ctx, first.name).id).toBe(first.id);
    } finally {
      rmSync(ctx.home, { recursive: true, force: true });
    }
  });

  it('notices a key file replaced in place, and refuses once the key is gone', async () => {
    const ctx = fixtureContext();
    try {
      const info = ensureSigningKey(ctx);
      const a = loadSigningKey(ctx);
      await tick();
      const other = fixtureContext();
      try {
        ensureSigningKey(other);
        // Another key's PEM written over this one (same name, same inode): a different private key.
        const { readFileSync } = await import('node:fs');
        writeFileSync(join(keysDir(ctx), `${info.name}.key`), readFileSync(join(keysDir(other), `${info.name}.key`)));
      } finally {
        rmSync(other.home, { recursive: true, force: true });
      }
      const b = loadSigningKey(ctx);
      expect(b).not.toBe(a);
      expect(b.publicKeyPem).not.toBe(a.publicKeyPem);
      await tick();
      for (const f of ['key', 'pub', 'json']) rmSync(join(keysDir(ctx), `${info.name}.${f}`));
      expect(() => loadSigningKey(ctx)).toThrow(/no default key|no key/);
    } finally {
      rmSync(ctx.home, { recursive: true, force: true });
    }
  });

  it(`keeps at most ${SIGNING_KEY_CACHE_MAX} keys`, () => {
    const homes = Array.from({ length: SIGNING_KEY_CACHE_MAX + 3 }, () => fixtureContext());
    try {
      for (const c of homes) {
        ensureSigningKey(c);
        loadSigningKey(c);
        expect(signingKeyCacheSize()).toBeLessThanOrEqual(SIGNING_KEY_CACHE_MAX);
      }
      expect(signingKeyCacheSize()).toBe(SIGNING_KEY_CACHE_MAX);
    } finally {
      for (const c of homes) rmSync(c.home, { recursive: true, force: true });
    }
  });
});
