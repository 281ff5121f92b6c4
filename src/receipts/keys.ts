/**
 * The key store: ECDSA P-256 signing keys under $MAESTRO_HOME/keys/ (directory 0700).
 *   <name>.key   PKCS#8 PEM private key, mode 0600
 *   <name>.pub   SPKI PEM public key
 *   <name>.json  {id, name, algorithm, createdAt}
 *   DEFAULT      the name of the default receipt key
 * The key id is the hex sha256 of the DER SPKI; it is the sigstore bundle's publicKey hint.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, linkSync, readdirSync, readFileSync, rmSync, type Stats, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Context, ensureDir, isoNow } from '../core/context.js';
import { writeFileAtomicSync } from '../core/files.js';
import { canonicalJsonFile } from './canonical-json.js';
import { KeyNotFoundError, KeyUsageError, ReceiptError } from './errors.js';

export const KEY_ALGORITHM = 'ecdsa-p256-sha256';
export const DEFAULT_KEY_NAME = 'default';
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** What `keys list` shows for one key. */
export interface KeyInfo {
  id: string;
  name: string;
  algorithm: string;
  createdAt: string;
  default: boolean;
  publicKeyPath: string;
}

/** A loaded private key, ready to sign. */
export interface SigningKey {
  id: string;
  name: string;
  privateKey: KeyObject;
  publicKeyPem: string;
}

/** The keys directory of a state home. */
export function keysDir(ctx: Pick<Context, 'home'>): string {
  return join(ctx.home, 'keys');
}

/** Key id: hex sha256 of the DER SubjectPublicKeyInfo. */
export function keyIdOf(publicKey: KeyObject | string): string {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  const der = key.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}

/** Parse a PEM public key (SPKI) and check it is ECDSA P-256. */
export function parsePublicKeyPem(pem: string, source: string): { id: string; key: KeyObject; pem: string } {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (cause) {
    throw new KeyUsageError('KEY_INVALID', `${source} is not a PEM public key`, { cause, hint: 'export one with: maestro keys export-public -o pub.pem' });
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new KeyUsageError('KEY_UNSUPPORTED', `${source} is not an ECDSA P-256 public key`);
  }
  const spki = key.export({ type: 'spki', format: 'pem' }).toString();
  return { id: keyIdOf(key), key, pem: spki };
}

/**
 * Generate a new key pair and store it. Fails if the name is taken.
 * @example generateKey(ctx, { name: 'ci', makeDefault: true })
 */
export function generateKey(ctx: Context, options: { name?: string; makeDefault?: boolean } = {}): KeyInfo {
  const dir = ensureDir(keysDir(ctx), 0o700);
  chmodSync(dir, 0o700);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const id = keyIdOf(publicKey);
  const name = options.name ?? `key-${id.slice(0, 12)}`;
  if (!NAME_RE.test(name)) {
    throw new KeyUsageError('KEY_NAME_INVALID', `invalid key name "${name}"`, { hint: 'use letters, digits, ".", "_" or "-" (at most 63 characters)' });
  }
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  // Write to a temp file, then link(): atomic, and fails with EEXIST if another process won the race.
  const tmp = join(dir, `.${name}.key.${process.pid}.${ctx.random.uuid()}`);
  writeFileSync(tmp, pem, { mode: 0o600 });
  try {
    linkSync(tmp, join(dir, `${name}.key`));
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new KeyUsageError('KEY_EXISTS', `a key named "${name}" already exists`, { cause, hint: 'choose another --name' });
    }
    throw new ReceiptError('KEY_WRITE_FAILED', `cannot write key "${name}" in ${dir}`, { cause });
  } finally {
    rmSync(tmp, { force: true });
  }
  writeAtomic(join(dir, `${name}.pub`), publicKey.export({ type: 'spki', format: 'pem' }).toString(), 0o644);
  writeAtomic(join(dir, `${name}.json`), canonicalJsonFile({ id, name, algorithm: KEY_ALGORITHM, createdAt: isoNow(ctx) }), 0o644);
  if (options.makeDefault) writeAtomic(join(dir, 'DEFAULT'), `${name}\n`, 0o644);
  return describeKey(ctx, name);
}

/**
 * The engine's default receipt key, created on first use. Idempotent and safe under concurrency.
 * @example const key = ensureSigningKey(ctx); // key.id is the bundle hint
 */
export function ensureSigningKey(ctx: Context): KeyInfo {
  const name = defaultKeyName(ctx);
  if (existsSync(join(keysDir(ctx), `${name}.key`))) return describeKey(ctx, name);
  try {
    return generateKey(ctx, { name, makeDefault: true });
  } catch (err) {
    if (err instanceof KeyUsageError && err.code === 'KEY_EXISTS') return describeKey(ctx, name);
    throw err;
  }
}

/** Every key in the store, sorted by name. */
export function listKeys(ctx: Pick<Context, 'home'>): KeyInfo[] {
  const dir = keysDir(ctx);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.key') && !f.startsWith('.'))
    .map((f) => describeKey(ctx, f.slice(0, -4)))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Find a key by name, full id, or unique id prefix (8+ hex chars); the default key when omitted. */
export function findKey(ctx: Pick<Context, 'home'>, ref?: string): KeyInfo {
  const keys = listKeys(ctx);
  if (ref === undefined) {
    const def = keys.find((k) => k.default);
    if (!def)
      throw new KeyNotFoundError('KEY_NOT_FOUND', `no default key in ${keysDir(ctx)}`, { hint: 'run: maestro init (or maestro keys generate --default)' });
    return def;
  }
  const byName = keys.find((k) => k.name === ref);
  if (byName) return byName;
  const lower = ref.toLowerCase();
  const byId = lower.length >= 8 ? keys.filter((k) => k.id.startsWith(lower)) : [];
  if (byId.length === 1) return byId[0]!;
  if (byId.length > 1)
    throw new KeyUsageError('KEY_AMBIGUOUS', `key id prefix "${ref}" matches ${byId.length} keys`, { hint: 'give more characters of the id' });
  throw new KeyNotFoundError('KEY_NOT_FOUND', `no key named or with id "${ref}"`, { hint: 'see: maestro keys list' });
}

/** At most this many (state home, key reference) pairs keep a parsed signing key. */
export const SIGNING_KEY_CACHE_MAX = 32;
const signingKeys = new Map<string, { stamp: string; key: SigningKey }>();

const statStamp = (path: string): string => {
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    return '-';
  }
  return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
};

// What decides which key a reference names and what that key is: the keys directory's entries (any
// key added, removed or renamed changes it), the DEFAULT marker (replaced by rename: a new inode), and
// the key file itself.
function signingStamp(ctx: Pick<Context, 'home'>, info: { name: string }): string {
  const dir = keysDir(ctx);
  return [statStamp(dir), statStamp(join(dir, 'DEFAULT')), statStamp(join(dir, `${info.name}.key`))].join('|');
}

/**
 * Load a private key for signing (the default key when `ref` is omitted). Parsed once and reused
 * while the keys directory, the DEFAULT marker and the key file are unchanged (three stats instead
 * of listing every key and parsing a PEM for each receipt a worker pool signs).
 */
export function loadSigningKey(ctx: Pick<Context, 'home'>, ref?: string): SigningKey {
  const cacheKey = `${keysDir(ctx)}\0${ref ?? ''}`;
  const hit = signingKeys.get(cacheKey);
  if (hit && hit.stamp === signingStamp(ctx, hit.key)) return hit.key;
  signingKeys.delete(cacheKey);
  const info = findKey(ctx, ref);
  const before = signingStamp(ctx, info);
  const key = loadSigningKeyNow(ctx, info);
  // Cached only when nothing changed while it was read.
  if (signingStamp(ctx, info) === before) {
    if (signingKeys.size >= SIGNING_KEY_CACHE_MAX) signingKeys.delete(signingKeys.keys().next().value as string);
    signingKeys.set(cacheKey, { stamp: before, key });
  }
  return key;
}

/** How many signing keys are cached (tests check the bound). */
export function signingKeyCacheSize(): number {
  return signingKeys.size;
}

function loadSigningKeyNow(ctx: Pick<Context, 'home'>, info: KeyInfo): SigningKey {
  const path = join(keysDir(ctx), `${info.name}.key`);
  const privateKey = createPrivateKey(readFileSync(path, 'utf8'));
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { id: info.id, name: info.name, privateKey, publicKeyPem };
}

/** PEM of a stored public key. */
export function readPublicKeyPem(ctx: Pick<Context, 'home'>, ref?: string): { info: KeyInfo; pem: string } {
  const info = findKey(ctx, ref);
  return { info, pem: readFileSync(info.publicKeyPath, 'utf8') };
}

function defaultKeyName(ctx: Pick<Context, 'home'>): string {
  const marker = join(keysDir(ctx), 'DEFAULT');
  if (!existsSync(marker)) return DEFAULT_KEY_NAME;
  const name = readFileSync(marker, 'utf8').trim();
  return NAME_RE.test(name) ? name : DEFAULT_KEY_NAME;
}

// Metadata for a stored key; the public key file and metadata are rebuilt from the private key if missing.
function describeKey(ctx: Pick<Context, 'home'>, name: string): KeyInfo {
  const dir = keysDir(ctx);
  const pubPath = join(dir, `${name}.pub`);
  const metaPath = join(dir, `${name}.json`);
  let meta: { id?: string; algorithm?: string; createdAt?: string } = {};
  if (existsSync(metaPath)) meta = JSON.parse(readFileSync(metaPath, 'utf8')) as typeof meta;
  if (!existsSync(pubPath) || !meta.id) {
    const pub = createPublicKey(createPrivateKey(readFileSync(join(dir, `${name}.key`), 'utf8')));
    if (!existsSync(pubPath)) writeAtomic(pubPath, pub.export({ type: 'spki', format: 'pem' }).toString(), 0o644);
    meta.id = keyIdOf(pub);
  }
  return {
    id: meta.id,
    name,
    algorithm: meta.algorithm ?? KEY_ALGORITHM,
    createdAt: meta.createdAt ?? '',
    default: defaultKeyName(ctx) === name,
    publicKeyPath: pubPath,
  };
}

function writeAtomic(path: string, text: string, mode: number): void {
  writeFileAtomicSync(path, text, { mode });
}
