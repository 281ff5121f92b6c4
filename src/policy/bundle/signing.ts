/**
 * OPA bundle signatures (`.signatures.json`): one compact JWS whose payload lists every file of the
 * bundle with its hash, `{"files":[{"name","hash","algorithm"}],"keyid", "scope"?}`, signed with a PEM
 * private key (RS*, PS*, ES*) or an HMAC secret (HS*). Verification checks the JWS with the given key,
 * the scope, and then that every file is listed with a matching hash and every listed file exists.
 */
import { createHash, createPrivateKey, createPublicKey, createSecretKey, type KeyObject, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { CompactSign, compactVerify, decodeProtectedHeader } from 'jose';
import { parse as parseYaml } from 'yaml';
import { BundleError } from './errors.js';
import { BUNDLE_HASH_ALGORITHM, canonicalJson, canonicalOfValue, isStructuredDoc } from './hash.js';

/** Algorithms OPA signs and verifies bundles with. */
export const SIGNING_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'HS256', 'HS384', 'HS512'] as const;

/** One entry of the signed payload. */
export interface SignedFile {
  name: string;
  hash: string;
  algorithm: string;
}

export interface SigningOptions {
  /** PEM text, a path to a PEM file, or (HS*) the secret itself or a file holding it. */
  key: string;
  /** Default RS256, as OPA. */
  alg?: string;
  /** Default "default", as OPA. */
  keyId?: string;
  scope?: string;
}

export interface VerificationOptions {
  /** PEM public key (or certificate, or private key) text or path; the secret for HS*. */
  key: string;
  alg?: string;
  keyId?: string;
  scope?: string;
  /** File names (glob-less, exact) left out of verification, like OPA's --exclude-files-verify. */
  exclude?: readonly string[];
}

const NODE_HASH: Record<string, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-224': 'sha224',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
  'SHA-512-224': 'sha512-224',
  'SHA-512-256': 'sha512-256',
};

/**
 * Digest of one bundle file with a named algorithm (OPA's canonical form for structured documents).
 * @example digestFile('x.rego', bytes, 'SHA-256')
 */
export function digestFile(name: string, bytes: Buffer, algorithm: string = BUNDLE_HASH_ALGORITHM): string {
  const alg = NODE_HASH[algorithm];
  if (alg === undefined) throw new BundleError('BUNDLE_SIGNATURE_INVALID', `${name}: unsupported hashing algorithm ${algorithm}`, { kind: 'auth' });
  const h = createHash(alg);
  if (!isStructuredDoc(name)) return h.update(bytes).digest('hex');
  const text = bytes.toString('utf8');
  const canonical = /\.ya?ml$/.test(name) ? canonicalOfValue(parseYaml(text) as unknown) : canonicalJson(text, name);
  return h.update(canonical, 'utf8').digest('hex');
}

function checkAlg(alg: string): string {
  if (!(SIGNING_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new BundleError('BUNDLE_SIGNING_ALG_UNKNOWN', `unknown signing algorithm ${alg}`, { hint: `use one of ${SIGNING_ALGORITHMS.join(', ')}` });
  }
  return alg;
}

// As OPA: PEM text is used as is, an existing path is read, anything else is the literal (an HMAC secret).
function keyText(key: string): string {
  if (key.startsWith('-----BEGIN')) return key;
  return existsSync(key) ? readFileSync(key, 'utf8') : key;
}

function privateKeyOf(key: string, alg: string): KeyObject {
  const text = keyText(key);
  if (alg.startsWith('HS')) return createSecretKey(Buffer.from(text, 'utf8'));
  try {
    return createPrivateKey(text);
  } catch (err) {
    throw new BundleError('BUNDLE_SIGNING_KEY_INVALID', `--signing-key: not a PEM private key usable with ${alg} (${(err as Error).message})`, {
      cause: err,
      hint: 'pass a PEM file (RSA for RS*/PS*, ECDSA for ES*), or --signing-alg HS256 with a secret',
    });
  }
}

function publicKeyOf(key: string, alg: string): KeyObject {
  const text = keyText(key);
  if (alg.startsWith('HS')) return createSecretKey(Buffer.from(text, 'utf8'));
  try {
    if (text.includes('-----BEGIN CERTIFICATE')) return new X509Certificate(text).publicKey;
    return createPublicKey(text);
  } catch (err) {
    throw new BundleError('BUNDLE_VERIFICATION_KEY_INVALID', `--verification-key: not a PEM public key usable with ${alg} (${(err as Error).message})`, {
      cause: err,
      hint: 'pass the PEM public key of the signer, or --signing-alg HS256 with the shared secret',
    });
  }
}

/**
 * The `.signatures.json` document for these files, as `opa build --signing-key` writes it.
 * @example await signBundle(files, { key: 'private.pem' }) // { signatures: ['eyJ...'] }
 */
export async function signBundle(files: readonly SignedFile[], opts: SigningOptions): Promise<{ signatures: string[] }> {
  const alg = checkAlg(opts.alg ?? 'RS256');
  const keyId = opts.keyId ?? 'default';
  const payload = {
    files: files.map((f) => ({ name: f.name, hash: f.hash, algorithm: f.algorithm })),
    keyid: keyId,
    ...(opts.scope ? { scope: opts.scope } : {}),
  };
  const key = privateKeyOf(opts.key, alg);
  let token: string;
  try {
    token = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg, kid: keyId, typ: 'JWT' }).sign(key);
  } catch (err) {
    throw new BundleError('BUNDLE_SIGNING_KEY_INVALID', `--signing-key: cannot sign with ${alg}: ${(err as Error).message}`, { cause: err });
  }
  return { signatures: [token] };
}

function refused(bundle: string, why: string, cause?: unknown): BundleError {
  return new BundleError('BUNDLE_SIGNATURE_INVALID', `${bundle}: bundle signature verification failed: ${why}`, {
    kind: 'auth',
    ...(cause !== undefined ? { cause } : {}),
    hint: 'the bundle was changed after signing, or was signed with another key; rebuild and re-sign it',
  });
}

/**
 * Verify `.signatures.json` and every file of a bundle; throws BUNDLE_SIGNATURE_INVALID (exit 4).
 * `files` maps names (no leading "/") to bytes; `altName` gives the other spelling OPA may have
 * signed a file under (a directory bundle's files signed with the directory's path as prefix).
 * @example await verifyBundle('b.tar.gz', sigDoc, files, { key: 'public.pem' })
 */
export async function verifyBundle(
  bundle: string,
  signatures: unknown,
  files: ReadonlyMap<string, Buffer>,
  opts: VerificationOptions,
  altName: (n: string) => string = (n) => n,
): Promise<{ keyId: string }> {
  const alg = checkAlg(opts.alg ?? 'RS256');
  const sigs = (signatures as { signatures?: unknown } | null)?.signatures;
  if (!Array.isArray(sigs) || sigs.length === 0) throw refused(bundle, '.signatures.json: missing JWT (expected exactly one)');
  if (sigs.length > 1) throw refused(bundle, '.signatures.json: multiple JWTs not supported (expected exactly one)');
  const token = sigs[0];
  if (typeof token !== 'string') throw refused(bundle, '.signatures.json: the signature is not a string');
  let header: { kid?: unknown };
  try {
    header = decodeProtectedHeader(token);
  } catch (err) {
    throw refused(bundle, `.signatures.json: not a compact JWS (${(err as Error).message})`, err);
  }
  let payload: { files?: unknown; keyid?: unknown; scope?: unknown };
  try {
    payload = JSON.parse(new TextDecoder().decode((await compactVerify(token, publicKeyOf(opts.key, alg), { algorithms: [alg] })).payload)) as typeof payload;
  } catch (err) {
    if (err instanceof BundleError) throw err;
    throw refused(bundle, `failed to verify JWT signature: ${(err as Error).message}`, err);
  }
  const keyId = opts.keyId ?? (typeof header.kid === 'string' ? header.kid : typeof payload.keyid === 'string' ? payload.keyid : 'default');
  if ((payload.scope ?? '') !== (opts.scope ?? '')) throw refused(bundle, 'scope mismatch');
  if (!Array.isArray(payload.files)) throw refused(bundle, 'the signed payload has no "files" list');
  const listed = new Map<string, SignedFile>();
  for (const f of payload.files as SignedFile[]) listed.set(f.name, f);
  const excluded = new Set(opts.exclude ?? []);
  for (const [name, bytes] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (excluded.has(name)) continue;
    const key = listed.has(name) ? name : altName(name);
    const entry = listed.get(key);
    if (!entry) throw refused(bundle, `file ${name} not included in bundle signature`);
    if (!entry.algorithm) throw refused(bundle, `no hashing algorithm provided for file ${name}`);
    const got = digestFile(name, bytes, entry.algorithm);
    if (got !== String(entry.hash).toLowerCase()) throw refused(bundle, `${name}: digest mismatch (want: ${entry.hash}, got: ${got})`);
    listed.delete(key);
  }
  for (const name of excluded) listed.delete(name);
  if (listed.size > 0)
    throw refused(bundle, `file(s) [${[...listed.keys()].sort().join(' ')}] specified in bundle signatures but not found in the target bundle`);
  return { keyId };
}
