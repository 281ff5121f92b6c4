/**
 * SQL of the cost governor: actuals per execution, task history, the daily spend ledger and the
 * calibration factors (migration 003). Reads the executions table (001) for live estimates.
 */
import { type Db, dialectOf } from './db.js';

export interface ActualRow {
  executionId: string;
  tenantId: string;
  workflowName: string;
  status: string;
  estimatedMicros: number;
  actualMicros: number;
  pricesDigest: string;
  finishedAt: string;
  ledgerDay: string;
}

export interface TaskHistoryRow {
  executionId: string;
  taskId: string;
  tenantId: string;
  taskDigest: string;
  uses: string;
  resourceClass: string;
  cpu: number;
  memoryMB: number;
  expectedSec: number | null;
  status: string;
  cpuSec: number;
  peakRssMB: number;
  wallSec: number;
  bytesWritten: number;
  estimateSource: string;
  estimatedMicros: number;
  actualMicros: number;
  finishedAt: string;
  /** Host conditions over the run (migration 009); null for older rows. */
  hostLoad1?: number | null;
  hostStealPct?: number | null;
  hostNcpu?: number | null;
  hostRunnable?: number | null;
  hostContention?: number | null;
  /** The command's programs, e.g. "head|sha256sum" (first-run priors match on it). */
  commandShape?: string | null;
  estimatedLowMicros?: number | null;
  estimatedHighMicros?: number | null;
}

export interface CalibrationRow {
  uses: string;
  resourceClass: string;
  defaultSec: number | null;
  cpuUtil: number;
  memUtil: number;
  declaredFactor: number;
  historyCorrection: number;
  historyWindow: number;
  samples: number;
  fittedAt: string;
}

const HISTORY_COLS = `execution_id as executionId, task_id as taskId, tenant_id as tenantId, task_digest as taskDigest,
  uses, resource_class as resourceClass, cpu, memory_mb as memoryMB, expected_sec as expectedSec, status,
  cpu_sec as cpuSec, peak_rss_mb as peakRssMB, wall_sec as wallSec, bytes_written as bytesWritten,
  estimate_source as estimateSource, estimated_micros as estimatedMicros, actual_micros as actualMicros,
  finished_at as finishedAt, host_load1 as hostLoad1, host_steal_pct as hostStealPct, host_ncpu as hostNcpu,
  host_runnable as hostRunnable, host_contention as hostContention, command_shape as commandShape,
  estimated_low_micros as estimatedLowMicros, estimated_high_micros as estimatedHighMicros`;

const ACTUAL_COLS = `execution_id as executionId, tenant_id as tenantId, workflow_name as workflowName, status,
  estimated_micros as estimatedMicros, actual_micros as actualMicros, prices_digest as pricesDigest,
  finished_at as finishedAt, ledger_day as ledgerDay`;

/**
 * Record an execution's actuals, its tasks' history and the ledger entry, atomically. Idempotent:
 * returns false (and changes nothing) when the execution was already recorded.
 */
/** PostgreSQL's spelling of SQLite's `insert or replace` into cost_task_history. */
const TASK_HISTORY_UPSERT = ` on conflict (execution_id, task_id) do update set ${[
  'tenant_id',
  'task_digest',
  'uses',
  'resource_class',
  'cpu',
  'memory_mb',
  'expected_sec',
  'status',
  'cpu_sec',
  'peak_rss_mb',
  'wall_sec',
  'bytes_written',
  'estimate_source',
  'estimated_micros',
  'actual_micros',
  'finished_at',
  'host_load1',
  'host_steal_pct',
  'host_ncpu',
  'host_runnable',
  'host_contention',
  'command_shape',
  'estimated_low_micros',
  'estimated_high_micros',
]
  .map((c) => `${c} = excluded.${c}`)
  .join(', ')}`;

export function insertActuals(db: Db, row: ActualRow, tasks: readonly TaskHistoryRow[], nowIso: string): boolean {
  const tx = db.transaction(() => {
    const pg = dialectOf(db) === 'postgres';
    const ins = db
      .prepare(`insert ${pg ? '' : 'or ignore '}into cost_actuals (execution_id, tenant_id, workflow_name, status, estimated_micros,
      actual_micros, prices_digest, finished_at, ledger_day) values (@executionId, @tenantId, @workflowName, @status,
      @estimatedMicros, @actualMicros, @pricesDigest, @finishedAt, @ledgerDay)${pg ? ' on conflict do nothing' : ''}`)
      .run(row);
    if (ins.changes === 0) return false;
    const task = db.prepare(`insert ${pg ? '' : 'or replace '}into cost_task_history (execution_id, task_id, tenant_id, task_digest, uses,
      resource_class, cpu, memory_mb, expected_sec, status, cpu_sec, peak_rss_mb, wall_sec, bytes_written, estimate_source,
      estimated_micros, actual_micros, finished_at, host_load1, host_steal_pct, host_ncpu, host_runnable, host_contention,
      command_shape, estimated_low_micros, estimated_high_micros) values (@executionId, @taskId, @tenantId, @taskDigest, @uses,
      @resourceClass, @cpu, @memoryMB, @expectedSec, @status, @cpuSec, @peakRssMB, @wallSec, @bytesWritten,
      @estimateSource, @estimatedMicros, @actualMicros, @finishedAt, @hostLoad1, @hostStealPct, @hostNcpu, @hostRunnable,
      @hostContention, @commandShape, @estimatedLowMicros, @estimatedHighMicros)${pg ? TASK_HISTORY_UPSERT : ''}`);
    for (const t of tasks) {
      task.run({
        hostLoad1: null,
        hostStealPct: null,
        hostNcpu: null,
        hostRunnable: null,
        hostContention: null,
        commandShape: null,
        estimatedLowMicros: null,
        estimatedHighMicros: null,
        ...t,
      });
    }
    db.prepare(`insert into cost_spend_ledger (tenant_id, day, spent_micros, executions, updated_at) values (?, ?, ?, 1, ?)
      on conflict (tenant_id, day) do update set spent_micros = cost_spend_ledger.spent_micros + excluded.spent_micros,
      executions = cost_spend_ledger.executions + 1, updated_at = excluded.updated_at`).run(row.tenantId, row.ledgerDay, row.actualMicros, nowIso);
    db.prepare('update executions set actual_cost_micros = ?, estimated_cost_micros = coalesce(estimated_cost_micros, ?) where id = ?').run(
      row.actualMicros,
      row.estimatedMicros,
      row.executionId,
    );
    return true;
  });
  return tx.immediate();
}

/** Successful runs of one task digest in a tenant, newest first. */
export function taskHistory(db: Db, tenantId: string, digest: string, limit: number): TaskHistoryRow[] {
  return db
    .prepare(`select ${HISTORY_COLS} from cost_task_history where tenant_id = ? and task_digest = ? and status = 'succeeded'
    order by finished_at desc, execution_id desc limit ?`)
    .all(tenantId, digest, limit) as TaskHistoryRow[];
}

/**
 * Successful runs of tasks similar to a new one (same uses, class and command shape; any shape when
 * `shape` is null), newest first: the first-run priors. `tenantId` null = the whole machine.
 */
export function similarHistory(
  db: Db,
  q: { tenantId: string | null; uses: string; resourceClass: string; shape: string | null; excludeDigest: string; limit: number },
): TaskHistoryRow[] {
  const conds = [`uses = ?`, `resource_class = ?`, `status = 'succeeded'`, `task_digest <> ?`];
  const params: unknown[] = [q.uses, q.resourceClass, q.excludeDigest];
  if (q.tenantId !== null) {
    conds.push('tenant_id = ?');
    params.push(q.tenantId);
  }
  if (q.shape !== null) {
    conds.push('command_shape = ?');
    params.push(q.shape);
  }
  return db
    .prepare(`select ${HISTORY_COLS} from cost_task_history where ${conds.join(' and ')}
    order by finished_at desc, execution_id desc limit ?`)
    .all(...params, q.limit) as TaskHistoryRow[];
}

/** The most recent successful task runs of the machine (every tenant), newest first: the load-model fit. */
export function recentTaskHistory(db: Db, limit: number): TaskHistoryRow[] {
  return db
    .prepare(`select ${HISTORY_COLS} from cost_task_history where status = 'succeeded'
    order by finished_at desc, execution_id desc limit ?`)
    .all(limit) as TaskHistoryRow[];
}

/** Task runs of a tenant finished at or after `sinceIso` (the report's by-source and by-load split), oldest first; bounded. */
export function taskRunsSince(db: Db, tenantId: string, sinceIso: string, limit = 100_000): TaskHistoryRow[] {
  return db
    .prepare(`select ${HISTORY_COLS} from cost_task_history where tenant_id = ? and finished_at >= ?
    order by finished_at, execution_id, task_id limit ?`)
    .all(tenantId, sinceIso, limit) as TaskHistoryRow[];
}

/** The estimate sources of an execution's recorded tasks (history, priors, declared, default). */
export function executionSources(db: Db, executionId: string): string[] {
  return (db.prepare('select estimate_source as s from cost_task_history where execution_id = ?').all(executionId) as Array<{ s: string }>).map((r) => r.s);
}

export type EstimateBasis = 'point' | 'high';

/** The estimate a tenant's budget admits with: 'point' unless the tenant chose 'high'. */
export function estimateBasis(db: Db, tenantId: string): EstimateBasis {
  const r = db.prepare('select estimate_basis as b from cost_tenant_settings where tenant_id = ?').get(tenantId) as { b: EstimateBasis } | undefined;
  return r?.b ?? 'point';
}

/** Set the tenant's estimate basis. */
export function setEstimateBasis(db: Db, tenantId: string, basis: EstimateBasis, nowIso: string): void {
  db.prepare(`insert into cost_tenant_settings (tenant_id, estimate_basis, updated_at) values (?, ?, ?)
    on conflict (tenant_id) do update set estimate_basis = excluded.estimate_basis, updated_at = excluded.updated_at`).run(tenantId, basis, nowIso);
}

/** Every recorded task run (optionally of one tenant), oldest first: the calibration data. */
export function allTaskHistory(db: Db, tenantId?: string): TaskHistoryRow[] {
  const where = tenantId ? 'where tenant_id = ?' : '';
  return db
    .prepare(`select ${HISTORY_COLS} from cost_task_history ${where} order by finished_at, execution_id, task_id`)
    .all(...(tenantId ? [tenantId] : [])) as TaskHistoryRow[];
}

/** Recorded actuals finished at or after `sinceIso`, optionally for one tenant, oldest first. */
export function listActuals(db: Db, sinceIso: string, tenantId?: string): ActualRow[] {
  const t = tenantId ? 'and tenant_id = ?' : '';
  return db
    .prepare(`select ${ACTUAL_COLS} from cost_actuals where finished_at >= ? ${t} order by finished_at, execution_id`)
    .all(sinceIso, ...(tenantId ? [tenantId] : [])) as ActualRow[];
}

/** The recorded actuals of one execution, if any. */
export function getActual(db: Db, executionId: string): ActualRow | undefined {
  return db.prepare(`select ${ACTUAL_COLS} from cost_actuals where execution_id = ?`).get(executionId) as ActualRow | undefined;
}

/** The estimate and actual on the executions row (001), if the execution exists. */
export function executionCostColumns(db: Db, executionId: string): { estimated: number | null; actual: number | null; status: string } | undefined {
  return db.prepare('select estimated_cost_micros as estimated, actual_cost_micros as actual, status from executions where id = ?').get(executionId) as
    | { estimated: number | null; actual: number | null; status: string }
    | undefined;
}

/** Spend booked in the ledger for a tenant-local day. */
export function ledgerSpent(db: Db, tenantId: string, day: string): number {
  const r = db.prepare('select spent_micros as s from cost_spend_ledger where tenant_id = ? and day = ?').get(tenantId, day) as { s: number } | undefined;
  return r?.s ?? 0;
}

/** Sum of the estimates of a tenant's admitted, unfinished executions (queued or running). */
export function liveEstimates(db: Db, tenantId: string): number {
  const r = db
    .prepare(`select coalesce(sum(coalesce(estimated_cost_micros, 0)), 0) as s from executions
    where tenant_id = ? and status in ('queued', 'running')`)
    .get(tenantId) as { s: number };
  return r.s;
}

/** All calibration rows. */
export function listCalibration(db: Db): CalibrationRow[] {
  return db
    .prepare(`select uses, resource_class as resourceClass, default_sec as defaultSec, cpu_util as cpuUtil, mem_util as memUtil,
    declared_factor as declaredFactor, history_correction as historyCorrection, history_window as historyWindow, samples,
    fitted_at as fittedAt from cost_calibration order by uses, resource_class`)
    .all() as CalibrationRow[];
}

/** Replace the calibration with a new set of rows, atomically. */
export function saveCalibration(db: Db, rows: readonly CalibrationRow[]): void {
  db.transaction(() => {
    db.prepare('delete from cost_calibration').run();
    const ins = db.prepare(`insert into cost_calibration (uses, resource_class, default_sec, cpu_util, mem_util, declared_factor,
      history_correction, history_window, samples, fitted_at) values (@uses, @resourceClass, @defaultSec, @cpuUtil, @memUtil,
      @declaredFactor, @historyCorrection, @historyWindow, @samples, @fittedAt)`);
    for (const r of rows) ins.run(r);
  }).immediate();
}

/** Finished executions of a tenant since `sinceIso` whose actuals were never recorded (hook missed). */
export function unrecordedFinished(db: Db, tenantId: string, sinceIso: string): Array<{ id: string; finishedAt: string; micros: number }> {
  return db
    .prepare(`select e.id, e.finished_at as finishedAt, coalesce(e.actual_cost_micros, e.estimated_cost_micros, 0) as micros
    from executions e where e.tenant_id = ? and e.finished_at >= ? and e.actual_cost_micros is null
    and e.status in ('succeeded', 'failed', 'cancelled') and not exists (select 1 from cost_actuals a where a.execution_id = e.id)`)
    .all(tenantId, sinceIso) as Array<{ id: string; finishedAt: string; micros: number }>;
}
