/**
 * SQL for executions and task runs. Admission, claims and leases live in queue.ts (one IMMEDIATE
 * transaction each, so two processes can never both take a tenant's last slot or the same execution).
 */
import { type Db, preparedOnce } from './db.js';

export type ExecutionStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'denied';
export type TaskRunStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
export const ACTIVE_STATUSES: ExecutionStatus[] = ['queued', 'running'];

export interface ExecutionRow {
  id: string;
  tenant_id: string;
  subject: string;
  workflow_name: string;
  manifest_digest: string;
  manifest_path: string | null;
  status: ExecutionStatus;
  reason: string | null;
  sandbox: string | null;
  estimated_cost_micros: number | null;
  actual_cost_micros: number | null;
  published_at: string;
  started_at: string | null;
  finished_at: string | null;
  runner_pid: number | null;
  runner_start: string | null;
  dir: string | null;
  apparmor: string | null;
  detached: number;
  /** Migration 006: the lease (ADR 0014) and evidence sealing (ADR 0015). */
  lease_owner: string | null;
  lease_expires_at: number | null;
  claimed_at: string | null;
  attempts: number;
  waiting: number;
  sealed: number;
}

export interface TaskRunRow {
  execution_id: string;
  task_id: string;
  seq: number;
  status: TaskRunStatus;
  exit_code: number | null;
  reason: string | null;
  started_at: string | null;
  finished_at: string | null;
  cpu_ms: number | null;
  peak_rss_kb: number | null;
  wall_ms: number | null;
  bytes_written: number | null;
  command_digest: string;
  sandbox_pgid: number | null;
  /** JSON of the per-task extras (written files, exact cpu and rss): the record is rebuilt from it. */
  extras: string | null;
}

export type NewExecution = Pick<
  ExecutionRow,
  | 'id'
  | 'tenant_id'
  | 'subject'
  | 'workflow_name'
  | 'manifest_digest'
  | 'manifest_path'
  | 'sandbox'
  | 'estimated_cost_micros'
  | 'published_at'
  | 'dir'
  | 'detached'
>;

function prepare(db: Db) {
  return {
    active: db.prepare("select id from executions where tenant_id = ? and status in ('queued', 'running') order by published_at, id"),
    get: db.prepare('select * from executions where id = ?'),
    latest: db.prepare('select * from executions where tenant_id = ? order by published_at desc, id desc limit 1'),
    list: db.prepare('select * from executions where tenant_id = ? order by published_at desc, id desc limit ?'),
    orphanCandidates: db.prepare("select * from executions where status in ('queued', 'running') and runner_pid is not null"),
    finish: db.prepare("update executions set status = ?, reason = ?, finished_at = ? where id = ? and status in ('queued', 'running')"),
    cancel: db.prepare("update executions set status = 'cancelled', reason = ?, finished_at = ? where id = ? and status in ('queued', 'running')"),
    insertTask: db.prepare('insert into task_runs (execution_id, task_id, seq, status, command_digest) values (?, ?, ?, ?, ?)'),
    tasks: db.prepare('select * from task_runs where execution_id = ? order by seq'),
    taskStart: db.prepare("update task_runs set status = 'running', started_at = ?, sandbox_pgid = ? where execution_id = ? and task_id = ?"),
    taskFinish: db.prepare(
      `update task_runs set status = @status, exit_code = @exit_code, reason = @reason, finished_at = @finished_at,
         cpu_ms = @cpu_ms, peak_rss_kb = @peak_rss_kb, wall_ms = @wall_ms, bytes_written = @bytes_written, sandbox_pgid = null,
         extras = @extras
       where execution_id = @execution_id and task_id = @task_id`,
    ),
    taskSettle: db.prepare(
      "update task_runs set status = ?, reason = coalesce(reason, ?), finished_at = coalesce(finished_at, ?), sandbox_pgid = null where execution_id = ? and status in ('pending', 'running') and (? = 'any' or status = ?)",
    ),
    runningPgids: db.prepare('select sandbox_pgid from task_runs where execution_id = ? and sandbox_pgid is not null'),
  };
}

const stmts = preparedOnce(prepare);

export function activeExecutionIds(db: Db, tenantId: string): string[] {
  return (stmts(db).active.all(tenantId) as Array<{ id: string }>).map((r) => r.id);
}

export function getExecution(db: Db, id: string): ExecutionRow | undefined {
  return stmts(db).get.get(id) as ExecutionRow | undefined;
}

export function latestExecution(db: Db, tenantId: string): ExecutionRow | undefined {
  return stmts(db).latest.get(tenantId) as ExecutionRow | undefined;
}

export function listExecutions(db: Db, tenantId: string, limit = 1000): ExecutionRow[] {
  return stmts(db).list.all(tenantId, limit) as ExecutionRow[];
}

export function orphanCandidates(db: Db): ExecutionRow[] {
  return stmts(db).orphanCandidates.all() as ExecutionRow[];
}

export function insertTaskRuns(db: Db, executionId: string, tasks: Array<{ id: string; digest: string }>): void {
  const s = stmts(db);
  db.transaction(() => {
    for (const [i, t] of tasks.entries()) s.insertTask.run(executionId, t.id, i, 'pending', t.digest);
  })();
}

/** Ends an execution unless it already ended (a cancel wins over a late finish). Returns true if changed. */
export function markFinished(db: Db, id: string, status: ExecutionStatus, reason: string | null, at: string): boolean {
  return stmts(db).finish.run(status, reason, at, id).changes === 1;
}

export function markCancelled(db: Db, id: string, reason: string, at: string): boolean {
  return stmts(db).cancel.run(reason, at, id).changes === 1;
}

export function taskRuns(db: Db, executionId: string): TaskRunRow[] {
  return stmts(db).tasks.all(executionId) as TaskRunRow[];
}

export function markTaskStarted(db: Db, executionId: string, taskId: string, at: string, pgid: number | null): void {
  stmts(db).taskStart.run(at, pgid, executionId, taskId);
}

export function markTaskFinished(
  db: Db,
  row: Omit<TaskRunRow, 'seq' | 'started_at' | 'command_digest' | 'sandbox_pgid' | 'extras'> & { extras?: string | null },
): void {
  row = { ...row, extras: row.extras ?? null };
  stmts(db).taskFinish.run(row);
}

/** Sets every pending/running task of an execution (or only those in `only`) to `status`. */
export function settleTasks(db: Db, executionId: string, status: TaskRunStatus, reason: string, at: string, only: 'any' | 'pending' | 'running' = 'any'): void {
  stmts(db).taskSettle.run(status, reason, at, executionId, only, only);
}

export function sandboxPgids(db: Db, executionId: string): number[] {
  return (stmts(db).runningPgids.all(executionId) as Array<{ sandbox_pgid: number }>).map((r) => r.sandbox_pgid);
}
