/**
 * Trusted public keys and offline verification of our sigstore bundles with @sigstore/verify.
 * The bundle's publicKey hint (our key id) selects the trusted key; thresholds are 0 because our
 * bundles carry no transparency-log entries or timestamps by design (offline, no witnesses).
 */
import { readFileSync } from 'node:fs';
import type { Context } from '../core/context.js';
import { KeyUsageError } from './errors.js';
import { listKeys, parsePublicKeyPem } from './keys.js';
import type { Check } from './receipts.types.js';

/** A public key trusted for verification. */
export interface TrustedKey {
  id: string;
  pem: string;
  /** Where it came from (a file path, "keystore:<name>", or the trusted list). */
  source: string;
  /** When the trusted list revoked it: every signature by it then fails (ADR 0030). */
  revokedAt?: string | null;
  revokedReason?: string | null;
}

/** The engine's own public keys (every key in the state home's key store). */
export function trustedKeysFromHome(ctx: Pick<Context, 'home'>): TrustedKey[] {
  return listKeys(ctx).map((k) => ({ ...parsePublicKeyPem(readFileSync(k.publicKeyPath, 'utf8'), k.publicKeyPath), source: `keystore:${k.name}` }));
}

/** Public keys from PEM files (the --key flag). */
export function trustedKeysFromFiles(paths: readonly string[]): TrustedKey[] {
  return paths.map((p) => {
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch (cause) {
      throw new KeyUsageError('KEY_FILE_UNREADABLE', `cannot read public key file ${p}`, { cause });
    }
    const parsed = parsePublicKeyPem(text, p);
    return { id: parsed.id, pem: parsed.pem, source: p };
  });
}

export interface SignedBundleResult {
  checks: Check[];
  keyId: string | null;
  envelope?: { payloadType: string; payload: Buffer };
}

/** Parse and verify one of our bundles (DSSE, or a message signature over `artifact`). */
export async function verifySignedBundle(
  bundleJson: string | unknown,
  trustedKeys: readonly TrustedKey[],
  options: { expect: 'dsse' | 'message'; artifact?: Buffer; label: string },
): Promise<SignedBundleResult> {
  const { label } = options;
  const [{ bundleFromJSON, BUNDLE_V03_MEDIA_TYPE }, { Verifier, toSignedEntity, toTrustMaterial }] = await Promise.all([
    import('@sigstore/bundle'),
    import('@sigstore/verify'),
  ]);
  let bundle: ReturnType<typeof bundleFromJSON>;
  try {
    const obj = typeof bundleJson === 'string' ? (JSON.parse(bundleJson) as unknown) : bundleJson;
    bundle = bundleFromJSON(obj);
    if (bundle.mediaType !== BUNDLE_V03_MEDIA_TYPE) throw new Error(`media type ${bundle.mediaType} is not ${BUNDLE_V03_MEDIA_TYPE}`);
    const kind = bundle.content.$case === 'dsseEnvelope' ? 'dsse' : 'message';
    if (kind !== options.expect) throw new Error(`it holds a ${kind} signature, expected ${options.expect}`);
    if (bundle.verificationMaterial.content.$case !== 'publicKey') throw new Error('it does not name a public key');
  } catch (err) {
    return { checks: [{ name: `${label}.bundle`, ok: false, detail: `not a valid sigstore bundle v0.3: ${(err as Error).message}` }], keyId: null };
  }
  const checks: Check[] = [{ name: `${label}.bundle`, ok: true, detail: 'sigstore bundle v0.3' }];
  const hint = bundle.verificationMaterial.content.$case === 'publicKey' ? bundle.verificationMaterial.content.publicKey.hint : '';
  const envelope =
    bundle.content.$case === 'dsseEnvelope'
      ? { payloadType: bundle.content.dsseEnvelope.payloadType, payload: Buffer.from(bundle.content.dsseEnvelope.payload) }
      : undefined;
  const key = trustedKeys.find((k) => k.id === hint);
  if (!key) {
    const trusted = trustedKeys.length === 0 ? 'no keys are trusted (pass --key pub.pem)' : `trusted: ${trustedKeys.map((k) => k.id.slice(0, 16)).join(', ')}`;
    checks.push({ name: `${label}.signature`, ok: false, detail: `signed by key ${hint || '(no hint)'}, which is not a trusted key; ${trusted}` });
    return { checks, keyId: hint || null, ...(envelope ? { envelope } : {}) };
  }
  if (key.revokedAt) {
    // ADR 0030: our bundles carry no trusted timestamp, so "signed before the revocation" cannot be
    // proven: a revoked key's signatures all fail, whenever they claim to have been made.
    checks.push({
      name: `${label}.signature`,
      ok: false,
      detail: `signed by key ${key.id}, which was revoked at ${key.revokedAt} (${key.revokedReason ?? 'no reason given'}); signatures by a revoked key are not trusted`,
    });
    return { checks, keyId: key.id, ...(envelope ? { envelope } : {}) };
  }
  try {
    const { crypto } = await import('@sigstore/core');
    const trust = toTrustMaterial({ mediaType: '', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] }, (h: string) => {
      if (h !== key.id) throw new Error(`key not found: ${h}`);
      return { publicKey: crypto.createPublicKey(key.pem), validFor: () => true };
    });
    new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(toSignedEntity(bundle, options.artifact));
    checks.push({ name: `${label}.signature`, ok: true, detail: `valid signature by key ${key.id} (${key.source})` });
  } catch (err) {
    checks.push({
      name: `${label}.signature`,
      ok: false,
      detail: `signature does not verify with trusted key ${key.id} (${key.source}): ${(err as Error).message}`,
    });
  }
  return { checks, keyId: key.id, ...(envelope ? { envelope } : {}) };
}
