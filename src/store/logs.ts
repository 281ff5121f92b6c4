/**
 * SQL for evidence kept in the database (migration 011, ADR 0030): task log lines, appended in batches
 * by the worker that runs the execution, and the evidence files sealed at its end. Portable SQL.
 */
import { type Db, preparedOnce } from './db.js';

export interface LogRow {
  seq: number;
  task_id: string;
  ts: string;
  stream: 'stdout' | 'stderr';
  /** The line as a JSON string literal (JSON.parse gives the line). */
  line_json: string;
  bytes: number;
}

export interface EvidenceFileRow {
  path: string;
  size: number;
  sha256: string;
  content: Buffer;
}

/** Rows returned by one read of the logs (callers page with `afterSeq`). */
export const LOG_PAGE_ROWS = 1000;

const stmts = preparedOnce((db: Db) => ({
  append: db.prepare('insert into execution_logs (execution_id, seq, task_id, ts, stream, line_json, bytes) values (?, ?, ?, ?, ?, ?, ?)'),
  appendMany: db.prepare(
    `insert into execution_logs (execution_id, seq, task_id, ts, stream, line_json, bytes) values ${Array(ROWS_PER_INSERT).fill('(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
  ),
  page: db.prepare(`select seq, task_id, ts, stream, line_json, bytes from execution_logs where execution_id = ? and seq > ? order by seq limit ?`),
  pageTask: db.prepare(
    `select seq, task_id, ts, stream, line_json, bytes from execution_logs where execution_id = ? and task_id = ? and seq > ? order by seq limit ?`,
  ),
  tail: db.prepare(`select seq, task_id, ts, stream, line_json, bytes from execution_logs where execution_id = ? and task_id = ? order by seq desc limit ?`),
  totals: db.prepare('select coalesce(max(seq), 0) as seq, coalesce(sum(bytes), 0) as bytes from execution_logs where execution_id = ?'),
  tasks: db.prepare('select distinct task_id from execution_logs where execution_id = ? order by task_id'),
  putFile: db.prepare(
    `insert into execution_files (execution_id, path, size, sha256, content, stored_at) values (?, ?, ?, ?, ?, ?)
     on conflict (execution_id, path) do update set size = excluded.size, sha256 = excluded.sha256, content = excluded.content, stored_at = excluded.stored_at`,
  ),
  files: db.prepare('select path, size, sha256, content from execution_files where execution_id = ? order by path'),
  file: db.prepare('select path, size, sha256, content from execution_files where execution_id = ? and path = ?'),
  sizes: db.prepare('select path, size from execution_files where execution_id = ?'),
  // Only sealing stores execution.json; publishing stores the workflow, manifest, plan and decisions.
  fileCount: db.prepare("select count(*) as n from execution_files where execution_id = ? and path = 'execution.json'"),
}));

/** Rows per multi-row insert (7 parameters each: far below both dialects' parameter limits). */
const ROWS_PER_INSERT = 64;

/** Append one batch of log rows in one transaction (all or none), 64 rows per statement. */
export function appendLogRows(db: Db, executionId: string, rows: readonly LogRow[]): void {
  if (rows.length === 0) return;
  const s = stmts(db);
  db.transaction(() => {
    let i = 0;
    for (; i + ROWS_PER_INSERT <= rows.length; i += ROWS_PER_INSERT) s.appendMany.run(...params(executionId, rows.slice(i, i + ROWS_PER_INSERT)));
    for (const r of rows.slice(i)) s.append.run(executionId, r.seq, r.task_id, r.ts, r.stream, r.line_json, r.bytes);
  })();
}

function params(executionId: string, rows: readonly LogRow[]): unknown[] {
  const out: unknown[] = [];
  for (const r of rows) out.push(executionId, r.seq, r.task_id, r.ts, r.stream, r.line_json, r.bytes);
  return out;
}

/** Up to `limit` (at most LOG_PAGE_ROWS) rows after `afterSeq`, in order; of one task when given. */
export function readLogPage(db: Db, executionId: string, opts: { afterSeq: number; task?: string; limit?: number }): LogRow[] {
  const limit = Math.min(opts.limit ?? LOG_PAGE_ROWS, LOG_PAGE_ROWS);
  const s = stmts(db);
  return (opts.task === undefined ? s.page.all(executionId, opts.afterSeq, limit) : s.pageTask.all(executionId, opts.task, opts.afterSeq, limit)) as LogRow[];
}

/** The last `limit` rows of a task, oldest first. */
export function readLogTail(db: Db, executionId: string, task: string, limit: number): LogRow[] {
  return (stmts(db).tail.all(executionId, task, limit) as LogRow[]).reverse();
}

/** The highest sequence number and the bytes logged so far (a writer resuming an execution starts there). */
export function logTotals(db: Db, executionId: string): { seq: number; bytes: number } {
  const r = stmts(db).totals.get(executionId) as { seq: number | string; bytes: number | string };
  return { seq: Number(r.seq), bytes: Number(r.bytes) };
}

/** The tasks that logged at least one line. */
export function loggedTasks(db: Db, executionId: string): string[] {
  return (stmts(db).tasks.all(executionId) as Array<{ task_id: string }>).map((r) => r.task_id);
}

/** Store (or replace) evidence files of an execution in one transaction. */
export function putEvidenceFiles(db: Db, executionId: string, files: readonly EvidenceFileRow[], at: string): void {
  const s = stmts(db);
  db.transaction(() => {
    for (const f of files) s.putFile.run(executionId, f.path, f.size, f.sha256, f.content, at);
  })();
}

/** Every evidence file of an execution, sorted by path. */
export function evidenceFiles(db: Db, executionId: string): EvidenceFileRow[] {
  return (stmts(db).files.all(executionId) as EvidenceFileRow[]).map(asFile);
}

/** One evidence file (undefined when not stored). */
export function evidenceFile(db: Db, executionId: string, path: string): EvidenceFileRow | undefined {
  const r = stmts(db).file.get(executionId, path) as EvidenceFileRow | undefined;
  return r ? asFile(r) : undefined;
}

/** The stored evidence files of an execution: path → size (no content read). */
export function evidenceFileSizes(db: Db, executionId: string): Map<string, number> {
  return new Map((stmts(db).sizes.all(executionId) as Array<{ path: string; size: number | string }>).map((r) => [r.path, Number(r.size)]));
}

/** Whether the execution's evidence was sealed into the database (its execution.json is stored: the published files alone do not count). */
export function hasEvidenceFiles(db: Db, executionId: string): boolean {
  return Number((stmts(db).fileCount.get(executionId) as { n: number | string }).n) > 0;
}

// PostgreSQL returns bigint as string and bytea as Buffer; SQLite numbers and Buffer.
function asFile(r: EvidenceFileRow): EvidenceFileRow {
  return { path: r.path, size: Number(r.size), sha256: r.sha256, content: Buffer.from(r.content) };
}
