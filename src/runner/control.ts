/** Reading and steering executions: status, list, logs (incl. follow) and cancel. */
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isoNow } from '../core/context.js';
import { NotFoundError } from '../core/errors.js';
import {
  activeExecutionIds,
  type ExecutionRow,
  getExecution,
  latestExecution,
  listExecutions,
  markCancelled,
  sandboxPgids,
  settleTasks,
} from '../store/executions.js';
import { requirePermission, type Session } from '../tenancy/index.js';
import { RunnerError } from './errors.js';
import { loadRecord } from './execute.js';
import type { ExecutionRecord } from './record.js';
import { holderAliveHere, hostId, killSandboxesOf, parseOwner, recoverOrphans, sameProcessAlive } from './recovery.js';

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
 * Streams log lines (never the whole file in memory) to `emit`, task by task in file order; with
 * `follow`, keeps tailing every task's file until the execution ends.
 */
export async function streamLogs(
  session: Session,
  id: string,
  opts: { task?: string; follow?: boolean; signal?: AbortSignal },
  emit: (l: LogLine) => void,
): Promise<void> {
  requirePermission(session.identity, 'read');
  const row = findExecution(session, id);
  const logsDir = join(row.dir ?? '', 'logs');
  const tasks = loadRecord(session, row).tasks.map((t) => t.id);
  if (opts.task && !tasks.includes(opts.task)) {
    throw new NotFoundError('TASK_NOT_FOUND', `execution ${id} has no task "${opts.task}"`, { hint: `tasks: ${tasks.join(', ')}` });
  }
  const wanted = opts.task ? [opts.task] : tasks;
  const offsets = new Map<string, number>();
  for (;;) {
    for (const task of wanted) offsets.set(task, await readFrom(join(logsDir, `${task}.ndjson`), offsets.get(task) ?? 0, task, emit));
    if (!opts.follow || opts.signal?.aborted || TERMINAL.has(getExecution(session.store.db, id)?.status ?? 'failed')) break;
    await new Promise((r) => setTimeout(r, 200));
    recoverOrphans(session.store.db, isoNow(session.ctx));
  }
  if (opts.follow && !opts.signal?.aborted) for (const task of wanted) await readFrom(join(logsDir, `${task}.ndjson`), offsets.get(task) ?? 0, task, emit);
}

/** Emits complete lines from byte `offset`; returns the offset after the last complete line. */
async function readFrom(path: string, offset: number, task: string, emit: (l: LogLine) => void): Promise<number> {
  if (!existsSync(path) || statSync(path).size <= offset) return offset;
  const rl = createInterface({ input: createReadStream(path, { start: offset }), crlfDelay: Infinity });
  let pos = offset;
  for await (const text of rl) {
    pos += Buffer.byteLength(text) + 1;
    try {
      const rec = JSON.parse(text) as Omit<LogLine, 'task'>;
      emit({ task, ts: rec.ts, stream: rec.stream, line: rec.line });
    } catch {
      // A half-written last line: read it again on the next pass.
      return pos - Buffer.byteLength(text) - 1;
    }
  }
  return Math.min(pos, statSync(path).size);
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
      for (const pgid of sandboxPgids(db, id)) {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      if (row.dir) killSandboxesOf(row.dir);
      settleTasks(db, id, 'cancelled', 'the execution was cancelled', at);
    }
  }
  return result;
}

/** The task ids that have a log file (for `logs` without a record). */
export function logFiles(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.ndjson'))
        .map((f) => f.slice(0, -7))
        .sort()
    : [];
}
