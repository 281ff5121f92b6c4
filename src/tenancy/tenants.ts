/**
 * Tenants and members: validation, creation, updates and look-ups. Callers check permissions first.
 */
import type { Context } from '../core/context.js';
import { isoNow } from '../core/context.js';
import { EngineError, NotFoundError, UsageError } from '../core/errors.js';
import type { Store } from '../store/index.js';
import * as sql from '../store/tenants.js';
import { isRole, ROLES, type Role } from './roles.js';

export interface Tenant {
  id: string;
  name: string;
  dailyBudgetMicros: number;
  maxConcurrent: number;
  dayTimezone: string;
  requireSandbox: boolean;
  createdAt: string;
}

/** The public (JSON) form of a tenant: money in USD. */
export interface TenantView {
  id: string;
  name: string;
  dailyBudgetUSD: number;
  maxConcurrent: number;
  dayTimezone: string;
  requireSandbox: boolean;
  createdAt: string;
  /** The estimate the budget admits runs with (cost room, ADR 0026); shown by tenants create/set. */
  costEstimate?: 'point' | 'high';
}

export interface Member {
  tenant: string;
  subject: string;
  role: Role;
  updatedAt: string;
}

export const DEFAULT_TENANT = 'default';
const NAME_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const MICROS = 1_000_000;

export function toTenant(row: sql.TenantRow): Tenant {
  return {
    id: row.id,
    name: row.name,
    dailyBudgetMicros: row.daily_budget_micros,
    maxConcurrent: row.max_concurrent,
    dayTimezone: row.day_timezone,
    requireSandbox: row.require_sandbox === 1,
    createdAt: row.created_at,
  };
}

export function tenantView(t: Tenant): TenantView {
  return {
    id: t.id,
    name: t.name,
    dailyBudgetUSD: microsToUsd(t.dailyBudgetMicros),
    maxConcurrent: t.maxConcurrent,
    dayTimezone: t.dayTimezone,
    requireSandbox: t.requireSandbox,
    createdAt: t.createdAt,
  };
}

export function microsToUsd(micros: number): number {
  return micros / MICROS;
}

/**
 * Parse a USD amount written by a user ("500", "12.5", "0.25") into integer micro-dollars, exactly.
 * @example usdToMicros('12.34', '--daily-budget') // 12340000
 */
export function usdToMicros(text: string, what: string): number {
  const m = /^\s*\$?(\d{1,12})(?:\.(\d{1,6}))?\s*$/.exec(text);
  if (!m) throw new UsageError('BAD_AMOUNT', `${what}: "${text}" is not a USD amount`, { hint: 'write a non-negative number such as 500 or 12.50' });
  return Number(m[1]) * MICROS + Number((m[2] ?? '').padEnd(6, '0'));
}

export function parseMaxConcurrent(text: string | number): number {
  const n = typeof text === 'number' ? text : Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 1_000_000) {
    throw new UsageError('BAD_MAX_CONCURRENT', `--max-concurrent: "${text}" is not a whole number from 0 to 1000000`);
  }
  return n;
}

export function checkTimezone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new UsageError('BAD_TIMEZONE', `--day-timezone: "${tz}" is not an IANA time zone`, { hint: 'e.g. UTC, America/Denver, Europe/Berlin' });
  }
  return tz;
}

/** Find a tenant by id or name, or throw NotFoundError (exit 5). */
export function getTenant(store: Store, idOrName: string): Tenant {
  const row = sql.findTenantById(store.db, idOrName) ?? sql.findTenantByName(store.db, idOrName);
  if (!row) throw new NotFoundError('TENANT_NOT_FOUND', `tenant "${idOrName}" does not exist`, { hint: 'maestro tenants list' });
  return toTenant(row);
}

export function findTenant(store: Store, idOrName: string): Tenant | undefined {
  const row = sql.findTenantById(store.db, idOrName) ?? sql.findTenantByName(store.db, idOrName);
  return row ? toTenant(row) : undefined;
}

export function listTenants(store: Store): Tenant[] {
  return sql.listTenantRows(store.db).map(toTenant);
}

export interface CreateTenantOptions {
  name: string;
  dailyBudgetMicros?: number;
  maxConcurrent?: number;
  dayTimezone?: string;
  requireSandbox?: boolean;
}

export function createTenant(ctx: Context, store: Store, opts: CreateTenantOptions): Tenant {
  if (!NAME_RE.test(opts.name)) {
    throw new UsageError('BAD_TENANT_NAME', `tenant name "${opts.name}" is not valid`, {
      hint: 'use 1-63 lowercase letters, digits or dashes, starting with a letter or digit',
    });
  }
  if (sql.findTenantByName(store.db, opts.name)) {
    throw new EngineError('TENANT_EXISTS', `tenant "${opts.name}" already exists`, { kind: 'usage', hint: 'maestro tenants set to change it' });
  }
  const row: sql.TenantRow = {
    id: ctx.random.uuid(),
    name: opts.name,
    daily_budget_micros: opts.dailyBudgetMicros ?? 100 * MICROS,
    max_concurrent: opts.maxConcurrent ?? 25,
    day_timezone: opts.dayTimezone ? checkTimezone(opts.dayTimezone) : 'UTC',
    require_sandbox: opts.requireSandbox === false ? 0 : 1,
    created_at: isoNow(ctx),
  };
  sql.insertTenant(store.db, row);
  return toTenant(row);
}

export function updateTenant(store: Store, tenant: Tenant, update: sql.TenantUpdate): Tenant {
  if (update.dayTimezone !== undefined) checkTimezone(update.dayTimezone);
  sql.updateTenant(store.db, tenant.id, update);
  return getTenant(store, tenant.id);
}

export function setMember(ctx: Context, store: Store, tenant: Tenant, subject: string, role: string): Member {
  if (!isRole(role)) {
    throw new UsageError('BAD_ROLE', `role "${role}" is not one of ${ROLES.join(', ')}`);
  }
  if (subject.trim() === '' || subject.length > 320) throw new UsageError('BAD_SUBJECT', 'the subject must be 1-320 characters');
  sql.upsertMember(store.db, tenant.id, subject, role, isoNow(ctx));
  return { tenant: tenant.name, subject, role, updatedAt: isoNow(ctx) };
}

export function findMemberRole(store: Store, tenantId: string, subject: string): Role | undefined {
  const row = sql.findMember(store.db, tenantId, subject);
  return row && isRole(row.role) ? row.role : undefined;
}

export function listMembers(store: Store, tenant: Tenant): Member[] {
  return sql.listMemberRows(store.db, tenant.id).map((r) => ({ tenant: tenant.name, subject: r.subject, role: r.role as Role, updatedAt: r.updated_at }));
}
