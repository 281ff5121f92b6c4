import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Context, createContext } from '../../src/core/context.js';
import { AuthError } from '../../src/core/errors.js';
import { openStore } from '../../src/store/index.js';
import { ensureInitialized, openSession } from '../../src/tenancy/session.js';
import { getTenant } from '../../src/tenancy/tenants.js';
import { issueToken, TOKEN_AUDIENCE, TOKEN_ISSUER, tokenKeyPath, tokenPath, verifyToken } from '../../src/tenancy/tokens.js';
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

function engineKey() {
  return createPrivateKey(readFileSync(tokenKeyPath(t.home), 'utf8'));
}

function claims(extra: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ tenant_id: tenantId, ...extra })
    .setSubject('alice@local')
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 600);
}

async function refusal(token: string): Promise<AuthError> {
  const err = await verifyToken(ctx, token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AuthError);
  expect((err as AuthError).exitCode).toBe(4);
  return err as AuthError;
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('identity tokens', () => {
  it('init writes the token with mode 0600 and it verifies', async () => {
    expect(statSync(tokenPath(t.home)).mode & 0o777).toBe(0o600);
    expect(statSync(tokenKeyPath(t.home)).mode & 0o777).toBe(0o600);
    const c = await verifyToken(ctx, readFileSync(tokenPath(t.home), 'utf8').trim());
    expect(c.sub).toBe('alice@local');
    expect(c.tenant_id).toBe(tenantId);
  });

  it('refuses a token without tenant_id', async () => {
    const tok = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject('alice@local')
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(engineKey());
    expect((await refusal(tok)).code).toBe('TOKEN_NO_TENANT');
  });

  it('refuses an expired token, naming when it expired', async () => {
    const past = Math.floor(Date.now() / 1000) - 7200;
    const tok = await claims()
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuedAt(past)
      .setExpirationTime(past + 60)
      .sign(engineKey());
    const err = await refusal(tok);
    expect(err.code).toBe('TOKEN_EXPIRED');
    expect(err.message).toContain(new Date((past + 60) * 1000).toISOString());
  });

  it('refuses a token that is not yet valid', async () => {
    const future = Math.floor(Date.now() / 1000) + 3600;
    const tok = await claims()
      .setProtectedHeader({ alg: 'ES256' })
      .setNotBefore(future)
      .setExpirationTime(future + 600)
      .sign(engineKey());
    expect((await refusal(tok)).code).toBe('TOKEN_NOT_YET_VALID');
  });

  it('refuses a token signed by another key', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const tok = await claims().setProtectedHeader({ alg: 'ES256' }).sign(other);
    const err = await refusal(tok);
    expect(err.code).toBe('TOKEN_BAD_SIGNATURE');
    expect(err.message).toMatch(/not signed by this engine's key/);
  });

  it('refuses alg none', async () => {
    const now = Math.floor(Date.now() / 1000);
    const tok = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'alice@local', tenant_id: tenantId, iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: now + 600 })}.`;
    const err = await refusal(tok);
    expect(err.code).toBe('TOKEN_ALG_NONE');
  });

  it('refuses an algorithm that is not configured (HS256)', async () => {
    const tok = await claims().setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!!'));
    const err = await refusal(tok);
    expect(err.code).toBe('TOKEN_ALG_NOT_ALLOWED');
    expect(err.message).toContain('HS256');
  });

  it('refuses garbage', async () => {
    expect((await refusal('not-a-jwt')).code).toBe('TOKEN_MALFORMED');
  });

  it('refuses a subject that is not a member of the tenant', async () => {
    const { token } = await issueToken(ctx, { subject: 'mallory@evil', tenantId });
    const err = await openSession({ ...ctx, env: { MAESTRO_TOKEN: token } }).then(
      () => undefined,
      (e: unknown) => e as AuthError,
    );
    expect(err?.code).toBe('NOT_A_MEMBER');
    expect(err?.message).toContain('mallory@evil');
  });

  it('MAESTRO_TOKEN overrides the stored token', async () => {
    const s = openStore(ctx);
    const { createTenant, setMember } = await import('../../src/tenancy/tenants.js');
    const acme = createTenant(ctx, s, { name: 'acme-env' });
    setMember(ctx, s, acme, 'bob@acme', 'viewer');
    s.close();
    const { token } = await issueToken(ctx, { subject: 'bob@acme', tenantId: acme.id });
    const session = await openSession({ ...ctx, env: { MAESTRO_TOKEN: token } });
    expect(session.identity).toMatchObject({ subject: 'bob@acme', tenantName: 'acme-env', role: 'viewer' });
    session.close();
  });
});
