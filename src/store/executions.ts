/**
 * SQL for executions and task runs. Admission (quota check + insert) is one IMMEDIATE transaction, so
 * two processes can never both take a tenant's last slot.
 */
import { preparedOnce, type Db } from './db.js';

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
}

export type NewExecution = Pick<ExecutionRow, 'id' | 'tenant_id' | 'subject' | 'workflow_name' | 'manifest_digest' | 'manifest_path' | 'sandbox' | 'estimated_cost_micros' | 'published_at' | 'dir' | 'detached'>;

const cache = new WeakMap<Db, ReturnType<typeof prepare>>();

function prepare(db: Db) {
  return {
    active: db.prepare("select id from executions where tenant_id = ? and status in ('queued', 'running') order by published_at, id"),
    insert: db.prepare(
      `insert into executions (id, tenant_id, subject, workflow_name, manifest_digest, manifest_path, status, reason, sandbox,
         estimated_cost_micros, published_at, finished_at, dir, detached)
       values (@id, @tenant_id, @subject, @workflow_name, @manifest_digest, @manifest_path, @status, @reason, @sandbox,
         @estimated_cost_micros, @published_at, @finished_at, @dir, @detached)`,
    ),
    get: db.prepare('select * from executions where id = ?'),
    latest: db.prepare('select * from executions where tenant_id = ? order by published_at desc, id desc limit 1'),
    list: db.prepare('select * from executions where tenant_id = ? order by published_at desc, id desc limit ?'),
    orphanCandidates: db.prepare("select * from executions where status in ('queued', 'running') and runner_pid is not null"),
    start: db.prepare("update executions set status = 'running', started_at = ?, runner_pid = ?, runner_start = ?, apparmor = ? where id = ? and status = 'queued'"),
    claim: db.prepare("update executions set runner_pid = ?, runner_start = ? where id = ? and status in ('queued', 'running')"),
    finish: db.prepare("update executions set status = ?, reason = ?, finished_at = ? where id = ? and status in ('queued', 'running')"),
    cancel: db.prepare("update executions set status = 'cancelled', reason = ?, finished_at = ? where id = ? and status in ('queued', 'running')"),
    setActualCost: db.prepare('update executions set actual_cost_micros = ? where id = ?'),
    insertTask: db.prepare('insert into task_runs (execution_id, task_id, seq, status, command_digest) values (?, ?, ?, ?, ?)'),
    tasks: db.prepare('select * from task_runs where execution_id = ? order by seq'),
    taskStart: db.prepare("update task_runs set status = 'running', started_at = ?, sandbox_pgid = ? where execution_id = ? and task_id = ?"),
    taskFinish: db.prepare(
      `update task_runs set status = @status, exit_code = @exit_code, reason = @reason, finished_at = @finished_at,
         cpu_ms = @cpu_ms, peak_rss_kb = @peak_rss_kb, wall_ms = @wall_ms, bytes_written = @bytes_written, sandbox_pgid = null
       where execution_id = @execution_id and task_id = @task_id`,
    ),
    taskSettle: db.prepare("update task_runs set status = ?, reason = coalesce(reason, ?), finished_at = coalesce(finished_at, ?), sandbox_pgid = null where execution_id = ? and status in ('pending', 'running') and (? = 'any' or status = ?)"),
    runningPgids: db.prepare("select sandbox_pgid from task_runs where execution_id = ? and sandbox_pgid is not null"),
  };
}

const stmts = preparedOnce(prepare);

export type Admission = { admitted: true } | { admitted: false; holders: string[] };

/**
 * Atomically checks the tenant's concurrency cap and inserts the execution: queued when a slot is
 * free, denied (with the reason) otherwise. Returns the ids holding the slots on denial.
 */
export function admitExecution(db: Db, row: NewExecution, maxConcurrent: number, denyReason: (holders: string[]) => string): Admission {
  const s = stmts(db);
  const txn = db.transaction((): Admission => {
    const holders = (s.active.all(row.tenant_id) as Array<{ id: string }>).map((r) => r.id);
    if (holders.length >= maxConcurrent) {
      s.insert.run({ ...row, status: 'denied', reason: denyReason(holders), finished_at: row.published_at });
      return { admitted: false, holders };
    }
    s.insert.run({ ...row, status: 'queued', reason: null, finished_at: null });
    return { admitted: true };
  });
  return txn.immediate();
}

/** Records an execution that policy denied before admission. */
export function insertDeniedExecution(db: Db, row: NewExecution, reason: string): void {
  stmts(db).insert.run({ ...row, status: 'denied', reason, finished_at: row.published_at });
}

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
  db.transaction(() => tasks.forEach((t, i) => s.insertTask.run(executionId, t.id, i, 'pending', t.digest)))();
}

export function markStarted(db: Db, id: string, at: string, pid: number, pidStart: string, apparmor: string): boolean {
  return stmts(db).start.run(at, pid, pidStart, apparmor, id).changes === 1;
}

/** A (detached) worker takes over an execution. */
export function claimExecution(db: Db, id: string, pid: number, pidStart: string): boolean {
  return stmts(db).claim.run(pid, pidStart, id).changes === 1;
}

/** Ends an execution unless it already ended (a cancel wins over a late finish). Returns true if changed. */
export function markFinished(db: Db, id: string, status: ExecutionStatus, reason: string | null, at: string): boolean {
  return stmts(db).finish.run(status, reason, at, id).changes === 1;
}

export function markCancelled(db: Db, id: string, reason: string, at: string): boolean {
  return stmts(db).cancel.run(reason, at, id).changes === 1;
}

export function setActualCost(db: Db, id: string, micros: number): void {
  stmts(db).setActualCost.run(micros, id);
}

export function taskRuns(db: Db, executionId: string): TaskRunRow[] {
  return stmts(db).tasks.all(executionId) as TaskRunRow[];
}

export function markTaskStarted(db: Db, executionId: string, taskId: string, at: string, pgid: number | null): void {
  stmts(db).taskStart.run(at, pgid, executionId, taskId);
}

export function markTaskFinished(db: Db, row: Omit<TaskRunRow, 'seq' | 'started_at' | 'command_digest' | 'sandbox_pgid'>): void {
  stmts(db).taskFinish.run(row);
}

/** Sets every pending/running task of an execution (or only those in `only`) to `status`. */
export function settleTasks(db: Db, executionId: string, status: TaskRunStatus, reason: string, at: string, only: 'any' | 'pending' | 'running' = 'any'): void {
  stmts(db).taskSettle.run(status, reason, at, executionId, only, only);
}

export function sandboxPgids(db: Db, executionId: string): number[] {
  return (stmts(db).runningPgids.all(executionId) as Array<{ sandbox_pgid: number }>).map((r) => r.sandbox_pgid);
}
