/**
 * Signing over @sigstore/sign with a local, offline signer (no Fulcio, no Rekor, no TSA).
 * Signatures are deterministic ECDSA P-256 (RFC 6979 nonces, via @noble/curves) so that the same
 * statement signed with the same key gives the same bytes: disclosure packs stay byte-identical.
 * node:crypto's ECDSA uses random nonces, which is why it only verifies here.
 */
import { createHash, createPublicKey, type KeyObject, verify as nodeVerify } from 'node:crypto';
import type { SerializedBundle } from '@sigstore/bundle';
import type { Signature, Signer } from '@sigstore/sign';
import type { SigningKey } from './keys.js';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** DSSE v1 Pre-Authentication Encoding: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body. */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `, 'ascii'), type, Buffer.from(` ${payload.length} `, 'ascii'), payload]);
}

/** Most parsed public keys kept for the self-check (a process signs with a handful of keys). */
export const PUBLIC_KEY_CACHE_SIZE = 64;
// Parsed public keys by PEM, for the self-check of every signature (parsing one cost 3× the verify).
// Bounded: past PUBLIC_KEY_CACHE_SIZE the oldest is dropped.
const publicKeys = new Map<string, KeyObject>();
function publicKeyOf(pem: string): KeyObject {
  let k = publicKeys.get(pem);
  if (!k) {
    k = createPublicKey(pem);
    if (publicKeys.size >= PUBLIC_KEY_CACHE_SIZE) publicKeys.delete(publicKeys.keys().next().value!);
    publicKeys.set(pem, k);
  }
  return k;
}

/** How many parsed public keys the self-check holds now (tests). */
export function publicKeyCacheSize(): number {
  return publicKeys.size;
}

/** A sigstore `Signer` that signs with a stored key; the key id is the bundle's publicKey hint. */
export class LocalKeySigner implements Signer {
  readonly #key: SigningKey;
  readonly #scalar: Uint8Array;

  constructor(key: SigningKey) {
    this.#key = key;
    const jwk = key.privateKey.export({ format: 'jwk' });
    if (jwk.crv !== 'P-256' || typeof jwk.d !== 'string') throw new TypeError('LocalKeySigner needs an ECDSA P-256 private key');
    this.#scalar = Buffer.from(jwk.d, 'base64url');
  }

  async sign(data: Buffer): Promise<Signature> {
    const { p256 } = await import('@noble/curves/nist');
    const digest = createHash('sha256').update(data).digest();
    const der = Buffer.from(p256.sign(digest, this.#scalar, { lowS: true }).toDERRawBytes());
    // Belt and braces: never emit a signature that node:crypto would not accept.
    if (!nodeVerify('sha256', data, publicKeyOf(this.#key.publicKeyPem), der)) throw new Error('self-check of a new ECDSA signature failed');
    return { signature: der, key: { $case: 'publicKey', publicKey: this.#key.publicKeyPem, hint: this.#key.id } };
  }
}

/**
 * Sign a payload as a DSSE envelope inside a sigstore bundle v0.3 (JSON form).
 * @example const bundle = await signDsseBundle(key, Buffer.from(statementJson), IN_TOTO_PAYLOAD_TYPE);
 */
export async function signDsseBundle(key: SigningKey, payload: Buffer, payloadType: string): Promise<SerializedBundle> {
  const [{ DSSEBundleBuilder }, { bundleToJSON }] = await Promise.all([import('@sigstore/sign'), import('@sigstore/bundle')]);
  const builder = new DSSEBundleBuilder({ signer: new LocalKeySigner(key), witnesses: [] });
  const bundle = await builder.create({ data: payload, type: payloadType });
  const json = bundleToJSON(bundle);
  // The key is named by verificationMaterial.publicKey.hint. A DSSE keyid as well makes verifiers
  // that derive their own key id (cosign's, via securesystemslib) skip the signature: leave it empty.
  if (json.dsseEnvelope) for (const sig of json.dsseEnvelope.signatures) sig.keyid = '';
  return json;
}

/** Sign a blob (message signature over its sha256) as a sigstore bundle v0.3 (JSON form). */
export async function signBlobBundle(key: SigningKey, blob: Buffer): Promise<SerializedBundle> {
  const [{ MessageSignatureBundleBuilder }, { bundleToJSON, BUNDLE_V03_MEDIA_TYPE }] = await Promise.all([
    import('@sigstore/sign'),
    import('@sigstore/bundle'),
  ]);
  const builder = new MessageSignatureBundleBuilder({ signer: new LocalKeySigner(key), witnesses: [] });
  const bundle = await builder.create({ data: blob });
  // The builder labels message-signature bundles v0.2 for certificate chains; ours carry a public key hint only, a valid v0.3 bundle.
  bundle.mediaType = BUNDLE_V03_MEDIA_TYPE;
  return bundleToJSON(bundle);
}
