/** Read-only aggregate queries the control plane exports as Prometheus metrics. */
import type { Db } from './db.js';

export function executionsByState(db: Db): Array<{ tenant: string; status: string; n: number }> {
  return db
    .prepare(
      `select t.name as tenant, e.status as status, count(*) as n
       from executions e join tenants t on t.id = e.tenant_id group by t.name, e.status order by t.name, e.status`,
    )
    .all() as Array<{ tenant: string; status: string; n: number }>;
}

/** Seconds from publish to start of executions started since `sinceIso` (for the latency histogram). */
export function publishToStartSeconds(db: Db, sinceIso: string): number[] {
  const rows = db.prepare('select published_at as p, started_at as s from executions where started_at is not null and started_at >= ?').all(sinceIso) as Array<{
    p: string;
    s: string;
  }>;
  return rows.map((r) => Math.max(0, (Date.parse(r.s) - Date.parse(r.p)) / 1000));
}

/** One started execution, for the cumulative publish-to-start histogram. */
export interface StartedRow {
  id: string;
  startedAt: string;
  seconds: number;
}

/**
 * Executions started after the cursor (started_at, id), oldest first, at most `limit`: the metrics
 * room feeds each one to its histogram exactly once while the process lives.
 */
export function startedAfter(db: Db, cursor: { startedAt: string; id: string }, limit: number): StartedRow[] {
  const rows = db
    .prepare(
      `select id, published_at as p, started_at as s from executions
       where started_at is not null and (started_at > @at or (started_at = @at and id > @id))
       order by started_at, id limit @limit`,
    )
    .all({ at: cursor.startedAt, id: cursor.id, limit }) as Array<{ id: string; p: string; s: string }>;
  return rows.map((r) => ({ id: r.id, startedAt: r.s, seconds: Math.max(0, (Date.parse(r.s) - Date.parse(r.p)) / 1000) }));
}

/** Disclosure exports so far per tenant: count, bytes and seconds (monotonic while rows are kept). */
export function exportTotals(db: Db): Array<{ tenantId: string; n: number; bytes: number; seconds: number }> {
  return db
    .prepare(
      'select tenant_id as tenantId, count(*) as n, coalesce(sum(bytes), 0) as bytes, coalesce(sum(seconds), 0) as seconds from disclosure_exports group by tenant_id order by tenant_id',
    )
    .all() as Array<{ tenantId: string; n: number; bytes: number; seconds: number }>;
}
