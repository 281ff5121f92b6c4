import { generateKeyPairSync } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Context, createContext } from '../../src/core/context.js';
import { AuthError } from '../../src/core/errors.js';
import { openStore } from '../../src/store/index.js';
import { ensureInitialized } from '../../src/tenancy/session.js';
import { getTenant } from '../../src/tenancy/tenants.js';
import { issueToken, TOKEN_KEY_CACHE_MAX, tokenKeyCacheSize, tokenKeyPath, verifyToken } from '../../src/tenancy/tokens.js';
import { tempHome } from '../helpers/cli.js';

const t = tempHome();
let ctx: Context;
let tenantId: string;

beforeAll(async () => {
  ctx = createContext({ home: t.home, env: { USER: 'alice' } });
  await ensureInitialized(ctx);
  const s = openStore(ctx);
  tenantId = getTenant(s, 'default').id;
  s.close();
});
afterAll(() => t.cleanup());

const newKeyPem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

async function code(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AuthError);
  return (err as AuthError).code;
}

describe('the parsed token key cache', () => {
  it('uses a replaced key file at once: old tokens stop verifying, new ones verify', async () => {
    const old = await issueToken(ctx, { subject: 'alice@local', tenantId });
    expect((await verifyToken(ctx, old.token)).sub).toBe('alice@local'); // parsed and cached
    // Replaced the way writeSecretFile does it (temp file, rename): a new inode.
    const tmp = `${tokenKeyPath(t.home)}.test.tmp`;
    writeFileSync(tmp, newKeyPem(), { mode: 0o600 });
    renameSync(tmp, tokenKeyPath(t.home));
    expect(await code(verifyToken(ctx, old.token))).toBe('TOKEN_BAD_SIGNATURE');
    const fresh = await issueToken(ctx, { subject: 'bob@local', tenantId });
    expect((await verifyToken(ctx, fresh.token)).sub).toBe('bob@local');
  });

  it('notices a key rewritten in place (same inode)', async () => {
    const before = await issueToken(ctx, { subject: 'carol@local', tenantId });
    expect((await verifyToken(ctx, before.token)).sub).toBe('carol@local');
    // File times tick with the kernel's coarse clock (a few ms): let one tick pass, as any real rotation does.
    await sleep(30);
    writeFileSync(tokenKeyPath(t.home), newKeyPem(), { mode: 0o600 });
    expect(await code(verifyToken(ctx, before.token))).toBe('TOKEN_BAD_SIGNATURE');
  });

  it('refuses once the key file is gone, whatever was cached', async () => {
    const tok = await issueToken(ctx, { subject: 'dave@local', tenantId });
    expect((await verifyToken(ctx, tok.token)).sub).toBe('dave@local');
    const saved = tokenKeyPath(t.home);
    const pem = newKeyPem();
    rmSync(saved);
    expect(await code(verifyToken(ctx, tok.token))).toBe('TOKEN_KEY_MISSING');
    writeFileSync(saved, pem, { mode: 0o600 });
  });

  it(`keeps at most ${TOKEN_KEY_CACHE_MAX} state homes`, async () => {
    const homes = Array.from({ length: TOKEN_KEY_CACHE_MAX + 4 }, () => tempHome());
    try {
      for (const h of homes) {
        const c = createContext({ home: h.home, env: { USER: 'alice' } });
        await ensureInitialized(c);
        const s = openStore(c);
        const tid = getTenant(s, 'default').id;
        s.close();
        const tok = await issueToken(c, { subject: 'erin@local', tenantId: tid });
        expect((await verifyToken(c, tok.token)).tenant_id).toBe(tid);
        expect(tokenKeyCacheSize()).toBeLessThanOrEqual(TOKEN_KEY_CACHE_MAX);
      }
      expect(tokenKeyCacheSize()).toBe(TOKEN_KEY_CACHE_MAX);
    } finally {
      for (const h of homes) h.cleanup();
    }
  });
});
