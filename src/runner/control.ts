/** Reading and steering executions: status, list, logs (incl. follow) and cancel. */
import { isoNow } from '../core/context.js';
import { NotFoundError } from '../core/errors.js';
import { sameProcessAlive } from '../core/proc.js';
import { activeExecutionIds, type ExecutionRow, getExecution, latestExecution, listExecutions, markCancelled, settleTasks } from '../store/executions.js';
import { LOG_PAGE_ROWS, readLogPage } from '../store/logs.js';
import { requirePermission, type Session } from '../tenancy/index.js';
import { RunnerError } from './errors.js';
import { loadRecord } from './execute.js';
import type { ExecutionRecord } from './record.js';
import { holderAliveHere, hostId, killLeftovers, parseOwner, recoverOrphans } from './recovery.js';

export interface ExecutionSummary {
  id: string;
  workflow: string;
  status: ExecutionRecord['status'];
  subject: string;
  publishedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  reason: string | null;
}

/** Finds an execution of the caller's tenant (NotFound otherwise). */
export function findExecution(session: Session, id: string): ExecutionRow {
  const row = getExecution(session.store.db, id);
  if (!row || row.tenant_id !== session.tenant.id) {
    throw new NotFoundError('EXECUTION_NOT_FOUND', `execution ${id} does not exist in tenant ${session.tenant.name}`, {
      hint: 'list executions with: maestro status --all',
    });
  }
  return row;
}

/**
 * The record of one execution, or of the tenant's latest.
 * @example const rec = executionStatus(session); // latest
 */
export function executionStatus(session: Session, id?: string): ExecutionRecord {
  requirePermission(session.identity, 'read');
  recoverOrphans(session.store.db, isoNow(session.ctx));
  const row = id ? findExecution(session, id) : latestExecution(session.store.db, session.tenant.id);
  if (!row) throw new NotFoundError('NO_EXECUTIONS', `tenant ${session.tenant.name} has no executions yet`, { hint: 'start one with: maestro run <manifest>' });
  return loadRecord(session, row);
}

/** Every execution of the tenant, newest first. */
export function listAllExecutions(session: Session): ExecutionSummary[] {
  requirePermission(session.identity, 'read');
  recoverOrphans(session.store.db, isoNow(session.ctx));
  return listExecutions(session.store.db, session.tenant.id).map((r) => ({
    id: r.id,
    workflow: r.workflow_name,
    status: r.status,
    subject: r.subject,
    publishedAt: r.published_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    reason: r.reason,
  }));
}

export interface LogLine {
  task: string;
  ts: string;
  stream: 'stdout' | 'stderr';
  line: string;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'denied']);

/**
 * Streams log lines from the database (ADR 0030: any replica serves any execution's logs) to `emit`,
 * in the order they were logged, a bounded page at a time; with `follow`, keeps polling until the
 * execution ends, then reads what is left (the runner writes every line before the final status).
 */
export async function streamLogs(
  session: Session,
  id: string,
  opts: { task?: string; follow?: boolean; signal?: AbortSignal; pollMs?: number },
  emit: (l: LogLine) => void,
): Promise<void> {
  requirePermission(session.identity, 'read');
  const row = findExecution(session, id);
  const tasks = loadRecord(session, row).tasks.map((t) => t.id);
  if (opts.task && !tasks.includes(opts.task)) {
    throw new NotFoundError('TASK_NOT_FOUND', `execution ${id} has no task "${opts.task}"`, { hint: `tasks: ${tasks.join(', ')}` });
  }
  const db = session.store.db;
  let after = 0;
  for (;;) {
    // Status first, lines second: an ended execution's lines are all written before its final status.
    const ended = TERMINAL.has(getExecution(db, id)?.status ?? 'failed');
    after = emitFrom(db, id, after, opts.task, emit);
    if (!opts.follow || ended || opts.signal?.aborted) return;
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
    recoverOrphans(db, isoNow(session.ctx));
  }
}

// Emits every line after `afterSeq` (page by page); returns the last sequence number seen.
function emitFrom(db: Session['store']['db'], id: string, afterSeq: number, task: string | undefined, emit: (l: LogLine) => void): number {
  let after = afterSeq;
  for (;;) {
    const page = readLogPage(db, id, { afterSeq: after, ...(task ? { task } : {}) });
    for (const r of page) emit({ task: r.task_id, ts: r.ts, stream: r.stream, line: JSON.parse(r.line_json) as string });
    if (page.length > 0) after = page[page.length - 1]!.seq;
    if (page.length < LOG_PAGE_ROWS) return after;
  }
}

export interface CancelResult {
  cancelled: string[];
  alreadyFinished: string[];
}

/**
 * Cancels executions: the store says cancelled at once (so the runner stops starting tasks and kills its
 * sandboxes within ~0.3 s); when the runner is gone, the sandboxes are killed here.
 */
export function cancelExecutions(session: Session, target: { id?: string; all?: boolean }): CancelResult {
  requirePermission(session.identity, 'cancel');
  const db = session.store.db;
  const ids = target.all ? activeExecutionIds(db, session.tenant.id) : target.id ? [findExecution(session, target.id).id] : [];
  if (ids.length === 0 && !target.all) throw new RunnerError('CANCEL_TARGET', 'name an execution id or pass --all', { kind: 'usage' });
  const result: CancelResult = { cancelled: [], alreadyFinished: [] };
  const at = isoNow(session.ctx);
  for (const id of ids) {
    const row = getExecution(db, id)!;
    if (!markCancelled(db, id, `cancelled by ${session.identity.subject}`, at)) {
      result.alreadyFinished.push(id);
      continue;
    }
    result.cancelled.push(id);
    // A live holder sees the cancelled status within ~0.3 s and kills its own sandboxes. A holder on
    // another host is left to do so (its pids mean nothing here); only a dead local one is cleaned up.
    const owner = row.lease_owner ? parseOwner(row.lease_owner) : null;
    const elsewhere = owner !== null && owner.host !== hostId();
    const alive = owner ? holderAliveHere(row) : row.runner_pid !== null && sameProcessAlive(row.runner_pid, row.runner_start);
    if (!elsewhere && !alive) {
      killLeftovers(db, row, true, owner ? owner.pid : row.runner_pid);
      settleTasks(db, id, 'cancelled', 'the execution was cancelled', at);
    }
  }
  return result;
}
