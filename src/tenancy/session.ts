/**
 * Bootstrap (auto-init) and sessions: who is calling, in which tenant, with which permissions.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Context } from '../core/context.js';
import { ensureDir, localSubject } from '../core/context.js';
import { AuthError } from '../core/errors.js';
import { openStore, type Store } from '../store/index.js';
import { getSetting, putSetting } from '../store/tenants.js';
import { type Permission, permissionsFor, type Role } from './roles.js';
import { createTenant, DEFAULT_TENANT, findMemberRole, findTenant, setMember, type Tenant } from './tenants.js';
import { ensureTokenKey, issueToken, tokenPath, verifyToken, writeSecretFile } from './tokens.js';

export interface Identity {
  subject: string;
  tenantId: string;
  tenantName: string;
  role: Role;
  roles: Role[];
  permissions: Permission[];
}

export interface Session {
  ctx: Context;
  store: Store;
  identity: Identity;
  tenant: Tenant;
  /** True when this call created the state home (auto-init). */
  created: boolean;
  close(): void;
}

export interface InitResult {
  home: string;
  created: boolean;
  database: string;
  tenant: string;
  subject: string;
  tokenPath: string;
}

/**
 * Create the state home if needed: database, default tenant, token key, local admin identity + token.
 * Idempotent: a second call changes nothing.
 * @example
 *   const r = await ensureInitialized(ctx); if (r.created) console.error(`initialised ${r.home}`);
 */
export async function ensureInitialized(ctx: Context, store?: Store): Promise<InitResult> {
  ensureDir(ctx.home);
  const own = store ?? openStore(ctx);
  try {
    const subject = localSubject(ctx.env);
    let created = false;
    // Fast path: an initialised home needs no write lock (every command passes through here).
    const initialised = getSetting(own.db, 'initialized_at') !== undefined;
    const init = own.db.transaction(() => {
      if (getSetting(own.db, 'initialized_at')) return false;
      const tenant = findTenant(own, DEFAULT_TENANT) ?? createTenant(ctx, own, { name: DEFAULT_TENANT });
      setMember(ctx, own, tenant, subject, 'admin');
      putSetting(own.db, 'default_tenant', tenant.id);
      putSetting(own.db, 'local_subject', subject);
      putSetting(own.db, 'initialized_at', new Date(ctx.clock.now()).toISOString());
      return true;
    });
    created = initialised ? false : init.immediate();
    const keyCreated = ensureTokenKey(ctx.home);
    // The engine's receipt-signing key (receipts room; loaded lazily: it is only needed on first init).
    if (created || keyCreated) (await import('../receipts/keys.js')).ensureSigningKey(ctx);
    const tenantId = getSetting(own.db, 'default_tenant')!;
    const localSub = getSetting(own.db, 'local_subject') ?? subject;
    if (created || keyCreated || !existsSync(tokenPath(ctx.home))) {
      const { token } = await issueToken(ctx, { subject: localSub, tenantId, ttlSec: 365 * 24 * 3600 });
      writeSecretFile(tokenPath(ctx.home), `${token}\n`);
    }
    return { home: ctx.home, created, database: own.path, tenant: DEFAULT_TENANT, subject: localSub, tokenPath: tokenPath(ctx.home) };
  } finally {
    if (!store) own.close();
  }
}

/** The caller's token: MAESTRO_TOKEN, else the stored one. */
export function currentToken(ctx: Context): string {
  const fromEnv = ctx.env.MAESTRO_TOKEN;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return fromEnv.trim();
  const path = tokenPath(ctx.home);
  if (!existsSync(path)) {
    throw new AuthError('NO_TOKEN', `no identity token: MAESTRO_TOKEN is not set and ${path} does not exist`, {
      hint: 'maestro login --tenant <tenant> --subject <subject>',
    });
  }
  return readFileSync(path, 'utf8').trim();
}

/** Resolve a verified token to an identity: the tenant must exist and the subject be a member. */
export async function authenticateToken(ctx: Context, store: Store, token: string): Promise<{ identity: Identity; tenant: Tenant }> {
  const claims = await verifyToken(ctx, token);
  const tenant = findTenant(store, claims.tenant_id);
  if (!tenant) {
    throw new AuthError('TOKEN_UNKNOWN_TENANT', `the token's tenant "${claims.tenant_id}" does not exist`, { hint: 'maestro tenants list' });
  }
  const role = findMemberRole(store, tenant.id, claims.sub);
  if (!role) {
    throw new AuthError('NOT_A_MEMBER', `subject "${claims.sub}" is not a member of tenant "${tenant.name}"`, {
      hint: `an admin can add it: maestro tenants members set ${tenant.name} ${claims.sub} <role>`,
    });
  }
  const identity: Identity = { subject: claims.sub, tenantId: tenant.id, tenantName: tenant.name, role, roles: [role], permissions: permissionsFor(role) };
  return { identity, tenant };
}

/**
 * Auto-init, open the store and authenticate the caller.
 * @example
 *   const s = await openSession(ctx); try { requirePermission(s.identity, 'run'); } finally { s.close(); }
 */
export async function openSession(ctx: Context): Promise<Session> {
  const store = openStore(ctx);
  try {
    const init = await ensureInitialized(ctx, store);
    const { identity, tenant } = await authenticateToken(ctx, store, currentToken(ctx));
    return { ctx, store, identity, tenant, created: init.created, close: () => store.close() };
  } catch (err) {
    store.close();
    throw err;
  }
}

/** True when the identity is an admin of the bootstrap tenant (may manage every tenant). */
export function isPlatformAdmin(store: Store, identity: Identity): boolean {
  return identity.role === 'admin' && identity.tenantId === getSetting(store.db, 'default_tenant');
}
