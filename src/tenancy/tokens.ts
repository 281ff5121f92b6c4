/**
 * Identity tokens: JWTs carrying `sub` and a required `tenant_id`, issued and verified with the
 * engine's own ES256 key (jose). Every refusal is an AuthError (exit 4) naming the exact reason.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../core/context.js';
import { ensureDir } from '../core/context.js';
import { AuthError } from '../core/errors.js';
import { writeFileAtomicSync } from '../core/files.js';

export const TOKEN_ALGORITHMS = ['ES256'] as const;
export const TOKEN_ISSUER = 'maestro-local';
export const TOKEN_AUDIENCE = 'maestro';
const DEFAULT_TTL_SEC = 12 * 3600;

export interface TokenClaims {
  sub: string;
  tenant_id: string;
  iat: number;
  exp: number;
  nbf?: number;
}

interface TokenKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function tokenKeyPath(home: string): string {
  return join(home, 'keys', 'token-es256.key.pem');
}

/** The stored token's path inside the state home. */
export function tokenPath(home: string): string {
  return join(home, 'token');
}

/** Write a file atomically with mode 0600 (temp file, then rename). */
export function writeSecretFile(path: string, content: string): void {
  writeFileAtomicSync(path, content, { mode: 0o600 });
}

/** Create the engine's token-signing key if missing; returns true when created. */
export function ensureTokenKey(home: string): boolean {
  const path = tokenKeyPath(home);
  if (existsSync(path)) return false;
  ensureDir(join(home, 'keys'));
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeSecretFile(path, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  return true;
}

/** At most this many state homes' parsed token keys are kept (a server has one; tests open many). */
export const TOKEN_KEY_CACHE_MAX = 16;
const keyCache = new Map<string, { stamp: string; keys: TokenKeys }>();

// What identifies one version of the key file: a rewrite (rename over it, or in place) changes it.
const stampOf = (st: Stats): string => `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;

/**
 * The parsed token keys of a state home. Parsing a PEM costs about 1 ms of CPU, paid by every
 * request's token check before this cache; a stat (a few µs) now decides whether the file changed
 * since it was parsed (a new key is used at once; tokens of the old one stop verifying).
 */
function loadTokenKeys(home: string): TokenKeys {
  const path = tokenKeyPath(home);
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    keyCache.delete(path);
    throw new AuthError('TOKEN_KEY_MISSING', `the engine's token key is missing (${path})`, { hint: 'run maestro init' });
  }
  const stamp = stampOf(st);
  const hit = keyCache.get(path);
  if (hit && hit.stamp === stamp) return hit.keys;
  const privateKey = createPrivateKey(readFileSync(path, 'utf8'));
  const keys = { privateKey, publicKey: createPublicKey(privateKey) };
  keyCache.delete(path);
  if (keyCache.size >= TOKEN_KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value as string);
  keyCache.set(path, { stamp, keys });
  return keys;
}

/** How many state homes' token keys are cached (tests check the bound). */
export function tokenKeyCacheSize(): number {
  return keyCache.size;
}

/**
 * Issue a token for a subject in a tenant.
 * @example
 *   const jwt = await issueToken(ctx, { subject: 'alice@co', tenantId: t.id, ttlSec: 3600 });
 */
export async function issueToken(
  ctx: Pick<Context, 'home' | 'clock'>,
  opts: { subject: string; tenantId: string; ttlSec?: number },
): Promise<{ token: string; expiresAt: string }> {
  const { SignJWT } = await import('jose/jwt/sign');
  const { privateKey } = loadTokenKeys(ctx.home);
  const now = Math.floor(ctx.clock.now() / 1000);
  const exp = now + (opts.ttlSec ?? DEFAULT_TTL_SEC);
  const token = await new SignJWT({ tenant_id: opts.tenantId })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .setSubject(opts.subject)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(exp)
    .sign(privateKey);
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}

/** Verify a token's header, signature and claims; returns its claims or throws a specific AuthError. */
export async function verifyToken(ctx: Pick<Context, 'home' | 'clock'>, token: string): Promise<TokenClaims> {
  const [{ decodeProtectedHeader }, { jwtVerify }, errors] = await Promise.all([
    import('jose/decode/protected_header'),
    import('jose/jwt/verify'),
    import('jose/errors'),
  ]);
  let header: { alg?: string };
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new AuthError('TOKEN_MALFORMED', 'the token is not a well-formed JWT (expected header.payload.signature)', {
      hint: 'run maestro login, or check MAESTRO_TOKEN',
    });
  }
  const alg = String(header.alg ?? '');
  if (alg.toLowerCase() === 'none') {
    throw new AuthError('TOKEN_ALG_NONE', 'the token is unsigned (alg "none"); unsigned tokens are always refused');
  }
  if (!(TOKEN_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new AuthError(
      'TOKEN_ALG_NOT_ALLOWED',
      `the token is signed with ${alg || 'no algorithm'}, which is not configured (accepted: ${TOKEN_ALGORITHMS.join(', ')})`,
    );
  }
  const { publicKey } = loadTokenKeys(ctx.home);
  try {
    const { payload } = await jwtVerify(token, publicKey, {
      algorithms: [...TOKEN_ALGORITHMS],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      currentDate: new Date(ctx.clock.now()),
    });
    return checkClaims(payload);
  } catch (err) {
    throw mapJoseError(err, errors);
  }
}

function checkClaims(payload: Record<string, unknown>): TokenClaims {
  if (typeof payload.sub !== 'string' || payload.sub === '') {
    throw new AuthError('TOKEN_NO_SUBJECT', 'the token has no sub (subject) claim');
  }
  if (typeof payload.tenant_id !== 'string' || payload.tenant_id === '') {
    throw new AuthError('TOKEN_NO_TENANT', 'the token has no tenant_id claim; every token must name its tenant', {
      hint: 'maestro login --tenant <tenant> --subject <subject>',
    });
  }
  return payload as unknown as TokenClaims;
}

function mapJoseError(err: unknown, errors: typeof import('jose/errors')): unknown {
  if (err instanceof AuthError) return err;
  const login = 'run maestro login to get a fresh token';
  if (err instanceof errors.JWTExpired) {
    const exp = typeof err.payload.exp === 'number' ? new Date(err.payload.exp * 1000).toISOString() : 'an earlier time';
    return new AuthError('TOKEN_EXPIRED', `the token expired at ${exp}`, { hint: login });
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') {
      const nbf = typeof err.payload.nbf === 'number' ? new Date(err.payload.nbf * 1000).toISOString() : 'a later time';
      return new AuthError('TOKEN_NOT_YET_VALID', `the token is not valid before ${nbf}`, { hint: 'check the clock, or run maestro login' });
    }
    return new AuthError('TOKEN_CLAIM_INVALID', `the token's "${err.claim}" claim is invalid (${err.reason})`, { hint: login });
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return new AuthError('TOKEN_BAD_SIGNATURE', "the token signature does not verify: it was not signed by this engine's key", { hint: login });
  }
  if (err instanceof errors.JOSEAlgNotAllowed) {
    return new AuthError('TOKEN_ALG_NOT_ALLOWED', `the token's algorithm is not configured (accepted: ${TOKEN_ALGORITHMS.join(', ')})`);
  }
  if (err instanceof errors.JOSEError) {
    return new AuthError('TOKEN_INVALID', `the token is invalid: ${err.message}`, { hint: login });
  }
  return err;
}
