/**
 * Trusted receipt-signing keys (ADR 0030): the database's list is the trust anchor of every replica.
 * A state home's own keys are enrolled when that home signs or verifies (idempotent; a revoked key
 * stays revoked); `keys revoke` and POST /api/keys/{id}/revoke revoke one for every replica at once.
 */
import { hostname } from 'node:os';
import type { Context } from '../core/context.js';
import { AuthError, NotFoundError, UsageError } from '../core/errors.js';
import type { TrustedKey } from '../receipts/index.js';
import type { Store } from '../store/index.js';
import { enrolTrustedKey, findTrustedKey, listTrustedKeys as listTrustedKeyRows, revokeTrustedKey, type TrustedKeyRow } from '../store/keys.js';
import { isPlatformAdmin, requirePermission, type Session } from '../tenancy/index.js';

/** One trusted key as `keys list --json` and GET /api/keys show it. */
export interface TrustedKeyView {
  id: string;
  /** The local key store's name of the key, else its owner. */
  name: string;
  owner: string;
  algorithm: string;
  /** When it was enrolled (kept as `createdAt` for clients of the earlier GET /api/keys). */
  createdAt: string;
  enrolledAt: string;
  /** Whether it is this state home's default signing key. */
  default: boolean;
  /** Whether its private key is in this state home's key store. */
  local: boolean;
  status: 'trusted' | 'revoked' | 'not-enrolled';
  revokedAt: string | null;
  revokedReason: string | null;
  publicKeyPem: string;
}

/** Who owns the keys of this state home, as the trusted list names it. */
export function keyOwner(ctx: Pick<Context, 'home' | 'env'>): string {
  return ctx.env.MAESTRO_KEY_OWNER ?? `host:${hostname()}:${ctx.home}`;
}

/**
 * Enrol the public keys of this state home's key store (the default receipt key is created first).
 * @example await enrolLocalKeys({ ctx, store }); // before signing receipts on a worker
 */
export async function enrolLocalKeys(env: { ctx: Context; store: Store }, options: { ensureDefault?: boolean } = {}): Promise<number> {
  const receipts = await import('../receipts/index.js');
  if (options.ensureDefault !== false) receipts.ensureSigningKey(env.ctx);
  let added = 0;
  const at = new Date(env.ctx.clock.now()).toISOString();
  const done = enrolledVia.get(env.store.db) ?? new Set<string>();
  enrolledVia.set(env.store.db, done);
  for (const k of receipts.listKeys(env.ctx)) {
    if (done.has(k.id)) continue;
    const { pem } = receipts.readPublicKeyPem(env.ctx, k.name);
    if (enrolTrustedKey(env.store.db, { id: k.id, pem, algorithm: k.algorithm, owner: keyOwner(env.ctx), at })) added += 1;
    if (done.size < MAX_REMEMBERED_KEYS) done.add(k.id);
  }
  return added;
}

/**
 * Keys already enrolled through a database handle: the control plane builds run hooks per request,
 * and enrolment must not cost a write each time. Owned by this module, keyed by the handle (gone with
 * it), bounded; a key is enrolled at most once per handle, and enrolment never changes an existing row.
 */
const enrolledVia = new WeakMap<Store['db'], Set<string>>();
const MAX_REMEMBERED_KEYS = 256;

/**
 * The keys `disclose verify` and receipt verification trust: exactly the database's list (revoked
 * keys included, marked, so that their signatures fail with the reason).
 * @example const keys = trustedKeysOf(store); await verifyReceipt(bundle, keys);
 */
export function trustedKeysOf(store: Store): TrustedKey[] {
  return listTrustedKeyRows(store.db).map((r) => ({
    id: r.key_id,
    pem: r.public_key_pem,
    source: `trusted list (owner ${r.owner})`,
    revokedAt: r.revoked_at,
    revokedReason: r.revoked_reason,
  }));
}

/**
 * The trusted list with each key's status, this home's local keys first (sorted by name).
 * @example (await trustedKeyViews({ ctx, store })).filter((k) => k.status === 'revoked')
 */
export async function trustedKeyViews(env: { ctx: Context; store: Store }): Promise<TrustedKeyView[]> {
  const receipts = await import('../receipts/index.js');
  const local = new Map(receipts.listKeys(env.ctx).map((k) => [k.id, k]));
  const rows = new Map(listTrustedKeyRows(env.store.db).map((r) => [r.key_id, r]));
  const views: TrustedKeyView[] = [];
  for (const k of local.values()) {
    const row = rows.get(k.id);
    const pem = row?.public_key_pem ?? receipts.readPublicKeyPem(env.ctx, k.name).pem;
    views.push({ ...viewOf(row, k.id, pem), name: k.name, default: k.default, local: true, createdAt: k.createdAt || (row?.enrolled_at ?? '') });
  }
  for (const r of rows.values()) if (!local.has(r.key_id)) views.push(viewOf(r, r.key_id, r.public_key_pem));
  return views;
}

/**
 * `keys list`: this home's keys enrolled (idempotent), then the trusted list with each key's status.
 * @example const keys = await listTrustedKeys(session);
 */
export async function listTrustedKeys(session: Session): Promise<TrustedKeyView[]> {
  requirePermission(session.identity, 'read');
  await enrolLocalKeys(session, { ensureDefault: false });
  return trustedKeyViews(session);
}

/**
 * Revoke a trusted key for every replica (platform admins only). Idempotent: revoking a revoked key
 * keeps the first revocation.
 * @example await revokeKey(session, '3f1c9a…', 'laptop lost');
 */
export function revokeKey(session: Session, ref: string, reason?: string): TrustedKeyView & { changed: boolean } {
  requirePermission(session.identity, 'tenant:manage');
  if (!isPlatformAdmin(session.store, session.identity)) {
    throw new AuthError('PERMISSION_DENIED', `${session.identity.subject} cannot revoke keys: that needs a platform admin (an admin of the default tenant)`, {
      hint: 'ask an admin of the default tenant to run: maestro keys revoke <key-id>',
    });
  }
  const found = findTrustedKey(session.store.db, ref.toLowerCase());
  if (found.ambiguous) throw new UsageError('KEY_AMBIGUOUS', `key id prefix "${ref}" matches several trusted keys`, { hint: 'give more characters of the id' });
  if (!found.row) throw new NotFoundError('KEY_NOT_FOUND', `no trusted key with id "${ref}"`, { hint: 'see: maestro keys list' });
  const at = new Date(session.ctx.clock.now()).toISOString();
  const changed = revokeTrustedKey(session.store.db, found.row.key_id, { at, reason: reason ?? 'revoked', by: session.identity.subject });
  const row = findTrustedKey(session.store.db, found.row.key_id).row!;
  return { ...viewOf(row, row.key_id, row.public_key_pem), changed };
}

function viewOf(row: TrustedKeyRow | undefined, id: string, pem: string): TrustedKeyView {
  return {
    id,
    name: row?.owner ?? '',
    owner: row?.owner ?? '',
    algorithm: row?.algorithm ?? 'ecdsa-p256-sha256',
    createdAt: row?.enrolled_at ?? '',
    enrolledAt: row?.enrolled_at ?? '',
    default: false,
    local: false,
    status: !row ? 'not-enrolled' : row.revoked_at ? 'revoked' : 'trusted',
    revokedAt: row?.revoked_at ?? null,
    revokedReason: row?.revoked_reason ?? null,
    publicKeyPem: pem,
  };
}
