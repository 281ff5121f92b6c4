/**
 * SQL for tenants, members and engine settings. Statements are prepared once per database handle.
 */
import { type Db, preparedOnce } from './db.js';

export interface TenantRow {
  id: string;
  name: string;
  daily_budget_micros: number;
  max_concurrent: number;
  day_timezone: string;
  require_sandbox: number;
  created_at: string;
}

export interface MemberRow {
  tenant_id: string;
  subject: string;
  role: string;
  created_at: string;
  updated_at: string;
}

export interface TenantUpdate {
  dailyBudgetMicros?: number;
  maxConcurrent?: number;
  dayTimezone?: string;
  requireSandbox?: boolean;
}

function prepare(db: Db) {
  return {
    insertTenant: db.prepare(
      `insert into tenants (id, name, daily_budget_micros, max_concurrent, day_timezone, require_sandbox, created_at)
       values (@id, @name, @daily_budget_micros, @max_concurrent, @day_timezone, @require_sandbox, @created_at)`,
    ),
    tenantById: db.prepare('select * from tenants where id = ?'),
    tenantByName: db.prepare('select * from tenants where name = ?'),
    listTenants: db.prepare('select * from tenants order by name'),
    upsertMember: db.prepare(
      `insert into tenant_members (tenant_id, subject, role, created_at, updated_at) values (?, ?, ?, ?, ?)
       on conflict (tenant_id, subject) do update set role = excluded.role, updated_at = excluded.updated_at`,
    ),
    member: db.prepare('select * from tenant_members where tenant_id = ? and subject = ?'),
    listMembers: db.prepare('select * from tenant_members where tenant_id = ? order by subject'),
    getSetting: db.prepare('select value from settings where key = ?'),
    putSetting: db.prepare('insert into settings (key, value) values (?, ?) on conflict (key) do update set value = excluded.value'),
  };
}

const stmts = preparedOnce(prepare);

export function insertTenant(db: Db, row: TenantRow): void {
  stmts(db).insertTenant.run(row);
}

export function findTenantById(db: Db, id: string): TenantRow | undefined {
  return stmts(db).tenantById.get(id) as TenantRow | undefined;
}

export function findTenantByName(db: Db, name: string): TenantRow | undefined {
  return stmts(db).tenantByName.get(name) as TenantRow | undefined;
}

export function listTenantRows(db: Db): TenantRow[] {
  return stmts(db).listTenants.all() as TenantRow[];
}

/** Apply only the given fields; returns true when a row changed. */
export function updateTenant(db: Db, id: string, update: TenantUpdate): boolean {
  const sets: string[] = [];
  const params: Record<string, unknown> = { id };
  if (update.dailyBudgetMicros !== undefined) {
    sets.push('daily_budget_micros = @b');
    params.b = update.dailyBudgetMicros;
  }
  if (update.maxConcurrent !== undefined) {
    sets.push('max_concurrent = @m');
    params.m = update.maxConcurrent;
  }
  if (update.dayTimezone !== undefined) {
    sets.push('day_timezone = @tz');
    params.tz = update.dayTimezone;
  }
  if (update.requireSandbox !== undefined) {
    sets.push('require_sandbox = @rs');
    params.rs = update.requireSandbox ? 1 : 0;
  }
  if (sets.length === 0) return false;
  return db.prepare(`update tenants set ${sets.join(', ')} where id = @id`).run(params).changes > 0;
}

export function upsertMember(db: Db, tenantId: string, subject: string, role: string, at: string): void {
  stmts(db).upsertMember.run(tenantId, subject, role, at, at);
}

export function findMember(db: Db, tenantId: string, subject: string): MemberRow | undefined {
  return stmts(db).member.get(tenantId, subject) as MemberRow | undefined;
}

export function listMemberRows(db: Db, tenantId: string): MemberRow[] {
  return stmts(db).listMembers.all(tenantId) as MemberRow[];
}

export function getSetting(db: Db, key: string): string | undefined {
  return (stmts(db).getSetting.get(key) as { value: string } | undefined)?.value;
}

export function putSetting(db: Db, key: string, value: string): void {
  stmts(db).putSetting.run(key, value);
}
