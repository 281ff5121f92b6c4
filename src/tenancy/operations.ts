/**
 * One engine function per tenancy command: each checks its permission, does the work, returns plain data.
 */
import type { Context } from '../core/context.js';
import { AuthError, UsageError } from '../core/errors.js';
import { type EstimateBasis, estimateBasis, setEstimateBasis } from '../store/cost.js';
import { openStore } from '../store/index.js';
import { requirePermission } from './roles.js';
import { ensureInitialized, isPlatformAdmin, type Session } from './session.js';
import {
  createTenant,
  findMemberRole,
  getTenant,
  listMembers,
  listTenants,
  type Member,
  parseMaxConcurrent,
  setMember,
  type Tenant,
  type TenantView,
  tenantView,
  updateTenant,
  usdToMicros,
} from './tenants.js';
import { issueToken, tokenPath, writeSecretFile } from './tokens.js';

export interface LoginResult {
  subject: string;
  tenant: string;
  role: string;
  expiresAt: string;
  tokenPath: string;
  token?: string;
}

/** Issue a token for a member of a tenant and store it (0600) unless only printing. */
export async function login(ctx: Context, opts: { tenant: string; subject: string; ttlSec?: number; print?: boolean }): Promise<LoginResult> {
  const store = openStore(ctx);
  try {
    await ensureInitialized(ctx, store);
    const tenant = getTenant(store, opts.tenant);
    const role = findMemberRole(store, tenant.id, opts.subject);
    if (!role) {
      throw new AuthError('NOT_A_MEMBER', `subject "${opts.subject}" is not a member of tenant "${tenant.name}"`, {
        hint: `an admin can add it: maestro tenants members set ${tenant.name} ${opts.subject} <role>`,
      });
    }
    if (opts.ttlSec !== undefined && (!Number.isInteger(opts.ttlSec) || opts.ttlSec <= 0)) {
      throw new UsageError('BAD_TTL', '--ttl must be a positive duration such as 3600, 90m, 12h or 7d');
    }
    const { token, expiresAt } = await issueToken(ctx, { subject: opts.subject, tenantId: tenant.id, ttlSec: opts.ttlSec });
    if (!opts.print) writeSecretFile(tokenPath(ctx.home), `${token}\n`);
    return { subject: opts.subject, tenant: tenant.name, role, expiresAt, tokenPath: tokenPath(ctx.home), ...(opts.print ? { token } : {}) };
  } finally {
    store.close();
  }
}

/** Tenants the caller may see: all for a platform admin, else its own. */
export function tenantsList(session: Session): TenantView[] {
  requirePermission(session.identity, 'read');
  const all = isPlatformAdmin(session.store, session.identity) ? listTenants(session.store) : [session.tenant];
  return all.map(tenantView);
}

export interface TenantSettingsInput {
  dailyBudget?: string;
  maxConcurrent?: string;
  dayTimezone?: string;
  requireSandbox?: boolean;
  /** The estimate the budget admits runs with: 'point' (default) or 'high' (cost room, ADR 0026). */
  costEstimate?: string;
}

function parseCostEstimate(v: string | undefined): EstimateBasis | undefined {
  if (v === undefined) return undefined;
  if (v === 'point' || v === 'high') return v;
  throw new UsageError('BAD_COST_ESTIMATE', `--cost-estimate "${v}" is neither "point" nor "high"`, {
    hint: "use 'point' (the estimate) or 'high' (the interval's upper end, for strict budgets)",
  });
}

function withCostEstimate(session: Session, view: TenantView, set: EstimateBasis | undefined): TenantView {
  if (set !== undefined) setEstimateBasis(session.store.db, view.id, set, new Date(session.ctx.clock.now()).toISOString());
  return { ...view, costEstimate: estimateBasis(session.store.db, view.id) };
}

export function tenantsCreate(session: Session, name: string, input: TenantSettingsInput): TenantView {
  requirePlatformAdmin(session, `create tenant "${name}"`);
  const basis = parseCostEstimate(input.costEstimate);
  const tenant = createTenant(session.ctx, session.store, {
    name,
    dailyBudgetMicros: input.dailyBudget !== undefined ? usdToMicros(input.dailyBudget, '--daily-budget') : undefined,
    maxConcurrent: input.maxConcurrent !== undefined ? parseMaxConcurrent(input.maxConcurrent) : undefined,
    dayTimezone: input.dayTimezone,
    requireSandbox: input.requireSandbox,
  });
  return withCostEstimate(session, tenantView(tenant), basis);
}

export function tenantsSet(session: Session, tenantRef: string, input: TenantSettingsInput): TenantView {
  const tenant = manageableTenant(session, tenantRef, 'tenant:manage');
  if (Object.values(input).every((v) => v === undefined)) {
    throw new UsageError('NOTHING_TO_SET', 'nothing to change', {
      hint: 'pass --daily-budget, --max-concurrent, --day-timezone, --require-sandbox or --cost-estimate',
    });
  }
  const basis = parseCostEstimate(input.costEstimate);
  return withCostEstimate(
    session,
    tenantView(
      updateTenant(session.store, tenant, {
        dailyBudgetMicros: input.dailyBudget !== undefined ? usdToMicros(input.dailyBudget, '--daily-budget') : undefined,
        maxConcurrent: input.maxConcurrent !== undefined ? parseMaxConcurrent(input.maxConcurrent) : undefined,
        dayTimezone: input.dayTimezone,
        requireSandbox: input.requireSandbox,
      }),
    ),
    basis,
  );
}

export function membersSet(session: Session, tenantRef: string, subject: string, role: string): Member {
  const tenant = manageableTenant(session, tenantRef, 'members:manage');
  return setMember(session.ctx, session.store, tenant, subject, role);
}

export function membersList(session: Session, tenantRef: string): Member[] {
  const tenant = visibleTenant(session, tenantRef);
  return listMembers(session.store, tenant);
}

function requirePlatformAdmin(session: Session, action: string): void {
  if (isPlatformAdmin(session.store, session.identity)) return;
  throw new AuthError(
    'PERMISSION_DENIED',
    `only an admin of the "default" tenant may ${action}; ${session.identity.subject} is ${session.identity.role} in "${session.identity.tenantName}"`,
  );
}

/** A tenant the caller may manage: its own (with the permission) or any, for a platform admin. */
export function manageableTenant(session: Session, ref: string, permission: 'tenant:manage' | 'members:manage'): Tenant {
  const tenant = getTenant(session.store, ref);
  if (isPlatformAdmin(session.store, session.identity)) return tenant;
  if (tenant.id !== session.identity.tenantId) throw crossTenant(session, tenant);
  requirePermission(session.identity, permission);
  return tenant;
}

function visibleTenant(session: Session, ref: string): Tenant {
  const tenant = getTenant(session.store, ref);
  if (isPlatformAdmin(session.store, session.identity)) return tenant;
  if (tenant.id !== session.identity.tenantId) throw crossTenant(session, tenant);
  requirePermission(session.identity, 'read');
  return tenant;
}

function crossTenant(session: Session, tenant: Tenant): AuthError {
  return new AuthError(
    'CROSS_TENANT',
    `${session.identity.subject} belongs to tenant "${session.identity.tenantName}" and may not access tenant "${tenant.name}"`,
  );
}
