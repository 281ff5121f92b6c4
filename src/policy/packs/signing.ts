/**
 * Pack signatures: a sigstore bundle (DSSE, in-toto statement) over the pack's canonical digest,
 * stored in the state home at pack-signatures/<id>.sig.json. Signing and verification reuse the
 * receipts room (local P-256 signer, offline @sigstore/verify); a verification already made for the
 * same (digest, bundle, key) is remembered in the store so later loads need no crypto.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Context, isoNow } from '../../core/context.js';
import { writeFileAtomicSync } from '../../core/files.js';
import {
  canonicalJson,
  canonicalJsonFile,
  ensureSigningKey,
  IN_TOTO_PAYLOAD_TYPE,
  keyIdOf,
  listKeys,
  loadSigningKey,
  maestroVersion,
  parsePublicKeyPem,
  type SigningKey,
  signDsseBundle,
  type TrustedKey,
  trustedKeysFromHome,
  verifySignedBundle,
} from '../../receipts/index.js';
import type { Store } from '../../store/index.js';
import { isVerified, markVerified } from '../../store/policy.js';
import type { Pack } from './catalog.js';
import { PackUsageError } from './errors.js';

export const PACK_PREDICATE_TYPE = 'https://maestro.dev/policy-pack/v1';

export type SignatureStatus = 'valid' | 'invalid' | 'unsigned';

export interface SignatureCheck {
  status: SignatureStatus;
  /** Why: the signer key, or what failed. */
  detail: string;
  keyId: string | null;
  /** The digest the signature covers (null when unsigned or unreadable). */
  signedDigest: string | null;
  path: string;
  /** From the signed statement: signed automatically on first use, and by which maestro version. */
  auto?: boolean;
  signedByVersion?: string;
  /** sha256 (hex) of the signature file's bytes: part of the warm cache's key. */
  bundleSha256?: string;
}

/** Where a pack's signature lives. */
export function signaturePath(ctx: Pick<Context, 'home'>, id: string): string {
  return join(ctx.home, 'pack-signatures', `${id}.sig.json`);
}

function trustedDir(ctx: Pick<Context, 'home'>): string {
  return join(ctx.home, 'pack-signatures', 'trusted');
}

/** Keys trusted for packs: the engine's key store plus public keys registered by `sign --key`. */
export function packTrustedKeys(ctx: Pick<Context, 'home'>): TrustedKey[] {
  const own = trustedKeysFromHome(ctx);
  const dir = trustedDir(ctx);
  if (!existsSync(dir)) return own;
  const extra = readdirSync(dir)
    .filter((f) => f.endsWith('.pub'))
    .map((f) => ({ ...parsePublicKeyPem(readFileSync(join(dir, f), 'utf8'), join(dir, f)), source: join(dir, f) }));
  return [...own, ...extra.map((k) => ({ id: k.id, pem: k.pem, source: k.source }))];
}

/** Ids of the keys trusted for packs, without parsing them (the verified-cache fast path). */
export function packTrustedKeyIds(ctx: Pick<Context, 'home'>): Set<string> {
  const ids = new Set(listKeys(ctx).map((k) => k.id));
  const dir = trustedDir(ctx);
  if (existsSync(dir)) for (const f of readdirSync(dir)) if (f.endsWith('.pub')) ids.add(f.slice(0, -4));
  return ids;
}

/** The in-toto statement a pack signature carries. */
export function packStatement(ctx: Context, pack: Pack, auto: boolean): Record<string, unknown> {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: `policy-pack/${pack.meta.id}@${pack.meta.version}`, digest: { sha256: pack.digest.slice('sha256:'.length) } }],
    predicateType: PACK_PREDICATE_TYPE,
    predicate: {
      id: pack.meta.id,
      version: pack.meta.version,
      digest: pack.digest,
      files: [...pack.files.entries()].map(([path, buf]) => ({ path, sha256: createHash('sha256').update(buf).digest('hex') })),
      signedAt: isoNow(ctx),
      maestroVersion: maestroVersion(),
      auto,
    },
  };
}

/** Load a signing key: the engine's default key, or a PEM private key file (`--key`). */
export function resolveSigningKey(ctx: Context, keyFile?: string): SigningKey {
  if (keyFile === undefined) {
    ensureSigningKey(ctx);
    return loadSigningKey(ctx);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(keyFile, 'utf8'));
  } catch (cause) {
    throw new PackUsageError('PACK_KEY_INVALID', `cannot read a PEM private key from ${keyFile}: ${(cause as Error).message}`, { cause });
  }
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new PackUsageError('PACK_KEY_UNSUPPORTED', `${keyFile} is not an ECDSA P-256 private key`, {
      hint: 'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out pack.key',
    });
  }
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { id: keyIdOf(publicKeyPem), name: keyFile, privateKey, publicKeyPem };
}

/**
 * Sign a pack's digest and store the bundle; a `--key` signer's public key becomes trusted for packs.
 * @example await signPack(ctx, pack) // { path: '…/pack-signatures/budget.sig.json', keyId: '…' }
 */
export async function signPack(
  ctx: Context,
  pack: Pack,
  opts: { keyFile?: string; auto?: boolean; store?: Store } = {},
): Promise<{ path: string; keyId: string; digest: string }> {
  const key = resolveSigningKey(ctx, opts.keyFile);
  const payload = Buffer.from(canonicalJson(packStatement(ctx, pack, opts.auto ?? false)), 'utf8');
  const bundle = await signDsseBundle(key, payload, IN_TOTO_PAYLOAD_TYPE);
  if (opts.keyFile !== undefined) writeAtomic(join(trustedDir(ctx), `${key.id}.pub`), key.publicKeyPem);
  const path = signaturePath(ctx, pack.meta.id);
  const text = canonicalJsonFile(bundle);
  writeAtomic(path, text);
  // We just signed these very bytes: remember them as verified so the next load needs no crypto.
  if (opts.store) markVerified(opts.store.db, pack.digest, createHash('sha256').update(text).digest('hex'), key.id, isoNow(ctx));
  return { path, keyId: key.id, digest: pack.digest };
}

function writeAtomic(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  writeFileAtomicSync(path, text, { mode: 0o644 });
}

/** The statement inside a bundle's DSSE envelope, or undefined when it is not ours. */
function readStatement(payload: Buffer): { id?: string; digest?: string; auto?: boolean; maestroVersion?: string } | undefined {
  try {
    const st = JSON.parse(payload.toString('utf8')) as {
      predicateType?: string;
      predicate?: { id?: string; digest?: string; auto?: boolean; maestroVersion?: string };
    };
    return st.predicateType === PACK_PREDICATE_TYPE ? (st.predicate ?? {}) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Check a pack against its stored signature: unsigned, valid, or invalid (tampered, untrusted key…).
 * @example (await verifyPack(ctx, store, pack)).status // 'valid'
 */
export async function verifyPack(
  ctx: Context,
  store: Store | undefined,
  pack: Pack,
  trust: { keys?: TrustedKey[]; ids?: Set<string> } = {},
): Promise<SignatureCheck> {
  const path = signaturePath(ctx, pack.meta.id);
  if (!existsSync(path)) return { status: 'unsigned', detail: 'no signature', keyId: null, signedDigest: null, path };
  const text = readFileSync(path, 'utf8');
  const bundleSha = createHash('sha256').update(text).digest('hex');
  const hint = bundleHint(text);
  const ids = trust.ids ?? new Set((trust.keys ?? packTrustedKeys(ctx)).map((k) => k.id));
  if (store && hint && ids.has(hint) && isVerified(store.db, pack.digest, bundleSha, hint)) {
    return { status: 'valid', detail: `signed by key ${hint}`, keyId: hint, signedDigest: pack.digest, path, bundleSha256: bundleSha };
  }
  const trusted = trust.keys ?? packTrustedKeys(ctx);
  const result = await verifySignedBundle(text, trusted, { expect: 'dsse', label: 'pack' });
  const failed = result.checks.find((c) => !c.ok);
  if (failed) return { status: 'invalid', detail: failed.detail, keyId: result.keyId, signedDigest: null, path, bundleSha256: bundleSha };
  const statement = result.envelope ? readStatement(result.envelope.payload) : undefined;
  if (!statement || statement.id !== pack.meta.id) {
    return {
      status: 'invalid',
      detail: `the signature is not a policy-pack statement for "${pack.meta.id}"`,
      keyId: result.keyId,
      signedDigest: null,
      path,
      bundleSha256: bundleSha,
    };
  }
  if (statement.digest !== pack.digest) {
    return {
      status: 'invalid',
      detail: `the pack's files changed after signing: digest ${pack.digest} but the signature covers ${statement.digest ?? '(none)'}`,
      keyId: result.keyId,
      signedDigest: statement.digest ?? null,
      path,
      bundleSha256: bundleSha,
      auto: statement.auto === true,
      ...(statement.maestroVersion ? { signedByVersion: statement.maestroVersion } : {}),
    };
  }
  if (store && result.keyId) markVerified(store.db, pack.digest, bundleSha, result.keyId, isoNow(ctx));
  return { status: 'valid', detail: `signed by key ${result.keyId}`, keyId: result.keyId, signedDigest: pack.digest, path, bundleSha256: bundleSha };
}

function bundleHint(text: string): string | undefined {
  try {
    const b = JSON.parse(text) as { verificationMaterial?: { publicKey?: { hint?: string } } };
    return b.verificationMaterial?.publicKey?.hint;
  } catch {
    return undefined;
  }
}
