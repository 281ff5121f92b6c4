/** SQL for the disclosure-export log. */
import type { Db } from './db.js';

export interface ExportRow {
  id: string;
  execution_id: string;
  tenant_id: string;
  started_at: string;
  finished_at: string;
  seconds: number;
  bytes: number;
  uploaded: number;
}

export function insertExport(db: Db, row: ExportRow): void {
  db.prepare(
    `insert into disclosure_exports (id, execution_id, tenant_id, started_at, finished_at, seconds, bytes, uploaded)
     values (@id, @execution_id, @tenant_id, @started_at, @finished_at, @seconds, @bytes, @uploaded)`,
  ).run(row);
}

/** The slowest export finished since `sinceIso`, in seconds (0 when none). */
export function slowestExportSeconds(db: Db, sinceIso: string): number {
  const r = db.prepare('select max(seconds) as s from disclosure_exports where finished_at >= ?').get(sinceIso) as { s: number | null };
  return r.s ?? 0;
}
