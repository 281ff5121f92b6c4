/**
 * The execution pipeline, as explicit stages:
 *   publish (publish.ts: load, authorise, plan hook, decide hook, atomic admission, directory)
 *   → start (claim, status running) → schedule (DAG of sandboxed tasks, logs into the store)
 *   → finish (final status, execution.json) → finished hook (cost actuals, receipt).
 * Engine functions return plain data; commands render it (src/cli/render-run.ts).
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Context } from '../core/context.js';
import { isoNow } from '../core/context.js';
import type { Manifest, TaskSpec } from '../manifest/manifest.types.js';
import { type ExecutionRow, getExecution, markTaskFinished, settleTasks, taskRuns } from '../store/executions.js';
import type { Store } from '../store/index.js';
import { evidenceFiles, hasEvidenceFiles, loggedTasks } from '../store/logs.js';
import {
  claimOwnSlot,
  finishHeld,
  markExecutionStarted,
  markSealed,
  markTaskStartedHeld,
  queuePosition,
  relocateHeld,
  startHeld,
  type UnsealedPosition,
  unsealedExecutions,
} from '../store/queue.js';
import { isStoreUnavailable, retryUnavailable } from '../store/retry.js';
import { findTenant, type Session } from '../tenancy/index.js';
import { ensureAppArmorProfile } from './apparmor.js';
import { RunnerError } from './errors.js';
import { evidenceCapFromEnv, materialiseLogs, sealEvidenceFiles } from './evidence-files.js';
import type { ExecutionHooks } from './hooks.types.js';
import { LogSink, logCapFromEnv } from './log-sink.js';
import { hostArch } from './profiles.js';
import { executionsRoot, type PublishOptions, publishExecution } from './publish.js';
import { buildRecord, type ExecutionRecord, extrasFromFile, readRecordFile, type TaskExtras, writeRecordFile } from './record.js';
import { cleanTempFiles, holderAliveHere, holderDead, LIVE_HOLDER_GRACE_MS, recoverOrphans, recoverOrphansRecently } from './recovery.js';
import { runSandboxed } from './sandbox.js';
import type { SandboxMode, TaskOutcome } from './sandbox.types.js';
import { runDag } from './scheduler.js';
import { type LeaseKeeper, processKeeper } from './worker-lease.js';

export type { DecideArgs, DecideOutcome, ExecutionHooks, PlanArgs, PlanOutcome } from './hooks.types.js';

let registered: ExecutionHooks = {};

/**
 * Installs the hooks used when a caller passes none (the CLI's run command and the detached worker).
 * @example registerExecutionHooks({ plan: costPlanHook, decide: policyHook, finished: receiptHook });
 */
export function registerExecutionHooks(hooks: ExecutionHooks): void {
  registered = { ...registered, ...hooks };
}

/** The hooks currently registered. */
export function registeredHooks(): ExecutionHooks {
  return registered;
}

/** Progress of a running execution, for live human output. */
export interface TaskEvent {
  task: string;
  phase: 'started' | 'finished' | 'waiting';
  status?: string;
  wallSec?: number;
  reason?: string | null;
  /** phase waiting: the execution's position in the queue. */
  position?: number | null;
}

export interface RunOptions extends Omit<PublishOptions, 'detached'> {
  /** Called as tasks start and finish (not for --detach). */
  progress?: (e: TaskEvent) => void;
  detach?: boolean;
  /** Max tasks of one execution running at once (default: MAESTRO_PARALLEL, else CPU count, min 2). */
  parallel?: number;
  /** Detached: called once the execution is queued (wake a pool, or start the local worker). */
  onQueued?: (id: string) => void;
}

export interface RunResult {
  record: ExecutionRecord;
  /** 0 succeeded (or detached and queued), 1 failed/cancelled, 3 denied. */
  exitCode: number;
  warnings: string[];
}

/** The process exit status for an execution status. */
export function exitCodeFor(status: ExecutionRecord['status'], detached = false): number {
  if (status === 'succeeded' || (detached && (status === 'queued' || status === 'running'))) return 0;
  return status === 'denied' ? 3 : 1;
}

/**
 * Per-task extras recorded in the store (migration 006), else those of a previous execution.json. The
 * file is read only when a task that ran has none in the store (recorded before migration 006).
 */
function extrasOf(dir: string | null, rows: ReturnType<typeof taskRuns>): Map<string, TaskExtras> {
  const m = rows.some((t) => t.wall_ms !== null && !t.extras) ? extrasFromFile(dir) : new Map<string, TaskExtras>();
  for (const t of rows) {
    if (!t.extras) continue;
    try {
      m.set(t.task_id, JSON.parse(t.extras) as TaskExtras);
    } catch {
      /* keep the file's */
    }
  }
  return m;
}

function recordOf(tenantName: string, db: Store['db'], row: ExecutionRow, extras?: ReadonlyMap<string, TaskExtras>): ExecutionRecord {
  const tasks = taskRuns(db, row.id);
  const seccomp = row.sandbox === 'bwrap' ? { profile: 'default', arch: safeArch() } : null;
  return buildRecord(row, tasks, tenantName, extras ?? extrasOf(row.dir, tasks), seccomp);
}

/** Reads the current record of an execution from the store (+ per-task extras). */
export function loadRecord(session: Session, row: ExecutionRow, extras?: ReadonlyMap<string, TaskExtras>): ExecutionRecord {
  return recordOf(session.tenant.id === row.tenant_id ? session.tenant.name : row.tenant_id, session.store.db, row, extras);
}

function safeArch(): string {
  try {
    return hostArch();
  } catch {
    return process.arch;
  }
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'denied']);
/** A detached publish skips the orphan pass when this process ran one within this many ms. */
export const RECENT_RECOVERY_MS = 1000;

/** Tasks that have a log: those that started, and any with lines in the database. */
function loggedTaskIds(db: Store['db'], id: string, record: ExecutionRecord): string[] {
  return [...new Set([...record.tasks.filter((t) => t.startedAt !== null).map((t) => t.id), ...loggedTasks(db, id)])].sort();
}

let appArmor: string | undefined;
function appArmorOnce(): string {
  appArmor ??= ensureAppArmorProfile();
  return appArmor;
}

/** Crash-test failpoints of the seal step ($MAESTRO_FAILPOINT): the process dies like a SIGKILL there. */
const SEAL_FAILPOINTS = new Set(['before-evidence', 'after-logs', 'after-receipt', 'after-record']);
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: killed');
};

/**
 * Writes the final evidence of a terminal execution from the store (ADR 0015, ADR 0035): the logs
 * rendered from the database, then the `finished` hook (cost actuals, signed receipt; idempotent),
 * then execution.json (written once, carrying the actuals), then the evidence blobs in the database,
 * then the sealed mark. Every file is written on libuv's thread pool to a temp file renamed into
 * place, so a kill -9 anywhere leaves each file old-and-complete or new-and-complete, and recovery
 * (sealPending) finishes the job. Used by the runner right after the terminal status and by recovery
 * for executions whose runner died before.
 * @example await sealExecution({ ctx, store }, id, hooks.finished);
 */
export async function sealExecution(
  env: { ctx: Context; store: Store },
  id: string,
  finished?: ExecutionHooks['finished'],
): Promise<ExecutionRecord | undefined> {
  const row = getExecution(env.store.db, id);
  if (!row || !TERMINAL.has(row.status) || !row.dir) return undefined;
  const tenant = findTenant(env.store, row.tenant_id);
  const record = recordOf(tenant?.name ?? row.tenant_id, env.store.db, row);
  const failpoint = SEAL_FAILPOINTS.has(env.ctx.env.MAESTRO_FAILPOINT ?? '') ? env.ctx.env.MAESTRO_FAILPOINT : undefined;
  // Failpoint for the crash tests (ADR 0015): die between the store's terminal status and the
  // evidence, in the middle of replacing execution.json (its temp file written, not renamed).
  if (failpoint === 'before-evidence') await writeRecordFile(row.dir, record, { beforeRename: die });
  // ADR 0030: the database's lines are the log; the local files become exactly what it renders.
  await materialiseLogs(env.store.db, id, row.dir, loggedTaskIds(env.store.db, id, record));
  if (failpoint === 'after-logs') die();
  if (finished) await finished(record, row.dir);
  if (failpoint === 'after-receipt') die();
  // Once per seal, after the hook: it carries the actual cost the hook priced (ADR 0035).
  await writeRecordFile(row.dir, record);
  if (failpoint === 'after-record') die();
  await sealEvidenceFiles(env.store.db, id, row.dir, isoNow(env.ctx), evidenceCapFromEnv(env.ctx.env));
  markSealed(env.store.db, id);
  return record;
}

/** Rows one sealing sweep reads at most (in pages of SEAL_PAGE_ROWS); `limit` bounds the seals. */
export const SEAL_SCAN_MAX = 1000;
const SEAL_PAGE_ROWS = 100;
// Where each store's last sweep stopped (per process): the next one resumes there and wraps around, so
// rows this host can never seal (a lost host's directory, a holder alive elsewhere) take no sweep's
// whole budget for good, however many of them there are.
const sweepPosition = new WeakMap<Store['db'], UnsealedPosition>();

/**
 * Recovery's half of ADR 0015: seals terminal executions whose evidence is missing and whose holder
 * is gone (lease expired, none, or a dead process on this host): temp files removed, execution.json
 * and the receipt rebuilt from the store. An execution whose execution.json already says its final
 * status and whose evidence `complete(dir)` says is there is only marked sealed.
 * Bounded per call: at most `limit` seals, and at most SEAL_SCAN_MAX rows read. The sweep resumes
 * where this process's previous one stopped, so rows it must leave (another host's) never starve the
 * others. `first` names an execution to seal before the sweep (the one a caller is about to export).
 * @example await sealPending({ ctx, store }, hooks.finished, { complete: (d) => existsSync(join(d, 'receipt.sigstore.json')) });
 */
export async function sealPending(
  env: { ctx: Context; store: Store },
  finished: ExecutionHooks['finished'],
  opts: { limit?: number; complete?: (dir: string) => boolean; first?: string } = {},
): Promise<number> {
  const { db } = env.store;
  const limit = opts.limit ?? 100;
  let n = 0;
  if (opts.first) {
    const row = getExecution(db, opts.first);
    if (row && row.sealed === 0 && TERMINAL.has(row.status) && (await sealOrphaned(env, row, finished, opts.complete))) n += 1;
  }
  const started = sweepPosition.get(db);
  let after = started;
  let wrapped = started === undefined; // a sweep from the start has seen everything when it reaches the end
  const seen = new Set<string>();
  let scanned = 0;
  sweep: while (n < limit && scanned < SEAL_SCAN_MAX) {
    const page = unsealedExecutions(db, SEAL_PAGE_ROWS, after);
    for (const row of page) {
      if (seen.has(row.id)) {
        after = undefined; // wrapped around onto rows this sweep read: all seen
        break sweep;
      }
      seen.add(row.id);
      scanned += 1;
      after = { finishedAt: row.finished_at ?? '', id: row.id };
      if (await sealOrphaned(env, row, finished, opts.complete)) n += 1;
      if (n >= limit || scanned >= SEAL_SCAN_MAX) break sweep;
    }
    if (page.length < SEAL_PAGE_ROWS) {
      after = undefined; // the end: the next page (or sweep) starts over from the oldest
      if (wrapped) break;
      wrapped = true;
    }
  }
  if (after) sweepPosition.set(db, after);
  else sweepPosition.delete(db);
  return n;
}

// One row of sealPending: true when it was sealed (rebuilt), false when left or only marked sealed.
async function sealOrphaned(
  env: { ctx: Context; store: Store },
  row: ExecutionRow,
  finished: ExecutionHooks['finished'],
  complete?: (dir: string) => boolean,
): Promise<boolean> {
  const now = env.ctx.clock.now();
  const expired = row.lease_expires_at === null || (row.lease_expires_at < now && (now - row.lease_expires_at > LIVE_HOLDER_GRACE_MS || !holderAliveHere(row)));
  const gone = row.lease_owner === null || expired || holderDead(row);
  // ADR 0030: a directory on another host (a lost worker's) cannot be sealed from here; leave it
  // rather than fail the caller's status or export.
  if (!gone || !row.dir || !existsSync(row.dir)) return false;
  if (readRecordFile(row.dir)?.status === row.status && complete?.(row.dir)) {
    // The files are final; a kill between execution.json and the blobs left the database without them.
    if (!hasEvidenceFiles(env.store.db, row.id)) await sealEvidenceFiles(env.store.db, row.id, row.dir, isoNow(env.ctx), evidenceCapFromEnv(env.ctx.env));
    // A second sealer killed after the first one finished left its temps (logs/<task>.ndjson.*.tmp).
    cleanTempFiles(row.dir);
    markSealed(env.store.db, row.id);
    return false;
  }
  cleanTempFiles(row.dir);
  await sealExecution(env, row.id, finished);
  return true;
}

/**
 * Runs a manifest: publish, then execute here (or queue it for a worker pool with `detach`).
 * @example
 *   const r = await runManifest(session, { manifestPath: 'wf.yaml', sandbox: 'bwrap' });
 */
export async function runManifest(session: Session, opts: RunOptions): Promise<RunResult> {
  const { store, ctx } = session;
  // Free the slots of dead holders before admission. A detached publish in a long-lived process (the
  // server) skips the pass when one ran within the last second: its pool recovers every second.
  if (opts.detach) recoverOrphansRecently(store.db, isoNow(ctx), ctx.clock.now(), RECENT_RECOVERY_MS);
  else recoverOrphans(store.db, isoNow(ctx), ctx.clock.now());
  const keeper = opts.keeper ?? processKeeper(store.db, ctx);
  opts = { ...opts, hooks: opts.hooks ?? registered, keeper };
  const pub = await publishExecution(session, { ...opts, detached: opts.detach === true });
  if (!pub.admitted) {
    settleTasks(store.db, pub.id, 'skipped', 'the execution was denied', getExecution(store.db, pub.id)!.finished_at ?? isoNow(ctx), 'pending');
    const record = (await sealExecution(session, pub.id, opts.hooks?.finished))!;
    return { record, exitCode: 3, warnings: pub.warnings };
  }
  if (opts.detach) {
    // No execution.json yet: a pool runs it and writes the record once, at seal (ADR 0035). Nothing
    // reads it before (status reads the store), and the publish returns without waiting for a write.
    opts.onQueued?.(pub.id);
    return { record: loadRecord(session, getExecution(store.db, pub.id)!, new Map()), exitCode: 0, warnings: pub.warnings };
  }
  // A foreground run has its record from admission on (its own process, nothing else queued behind it).
  await writeRecordFile(pub.dir, loadRecord(session, getExecution(store.db, pub.id)!, new Map()));
  if (pub.waiting && !(await waitForSlot(session, pub.id, keeper, opts.progress))) {
    // Cancelled (or taken) while waiting.
    const record = (await sealExecution(session, pub.id, opts.hooks?.finished)) ?? loadRecord(session, getExecution(store.db, pub.id)!);
    return { record, exitCode: exitCodeFor(record.status), warnings: pub.warnings };
  }
  const record = await executeExecution(session, pub.id, { ...opts, keeper });
  return { record, exitCode: exitCodeFor(record.status), warnings: pub.warnings };
}

/** Wait mode, foreground: polls for a quota slot for our own queued execution. False when it ended. */
async function waitForSlot(session: Session, id: string, keeper: LeaseKeeper, progress?: (e: TaskEvent) => void): Promise<boolean> {
  const { store } = session;
  let shown: number | null | undefined;
  for (;;) {
    if (claimOwnSlot(store.db, id, keeper.holder, session.tenant.maxConcurrent, keeper.now(), keeper.config.leaseMs)) return true;
    const row = getExecution(store.db, id);
    if (row?.status !== 'queued' || row.lease_owner !== keeper.holder.owner) return false;
    const position = queuePosition(store.db, row);
    if (position !== shown) progress?.({ task: '', phase: 'waiting', position });
    shown = position;
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface ExecuteOptions {
  parallel?: number;
  hooks?: ExecutionHooks;
  progress?: (e: TaskEvent) => void;
  /** The lease holder running it (default: this process's keeper). */
  keeper?: LeaseKeeper;
  /** SIGTERM/SIGINT cancel it (foreground runs; a pool handles signals itself). Default true. */
  signals?: boolean;
  /** Aborted by the pool's shutdown: the execution ends failed, naming the worker. */
  shutdown?: AbortSignal;
  /** Called when a task's sandbox is running (its start recorded): the pool's start window. */
  onRunning?: () => void;
}

/**
 * The execution's directory on this host. A worker on another host than the publisher (the two share
 * only the database) rebuilds it from the files stored at admission, and records where it is, so the
 * finish and seal steps and this host's later reads find it.
 */
async function hostDir(session: Session, row: ExecutionRow & { dir: string }, owner: string): Promise<ExecutionRow & { dir: string }> {
  if (existsSync(join(row.dir, 'workflow.json'))) return row;
  const { store, ctx } = session;
  const files = await retryUnavailable(() => evidenceFiles(store.db, row.id));
  if (!files.some((f) => f.path === 'workflow.json')) {
    throw new RunnerError('EXECUTION_FILES_MISSING', `execution ${row.id}: its workflow is neither in ${row.dir} on this host nor in the database`, {
      hint: 'it was published by a maestro older than 0.2.0 on another host: run a worker there, or publish it again',
    });
  }
  const dir = join(executionsRoot(ctx.home), row.id);
  mkdirSync(join(dir, 'logs'), { recursive: true, mode: 0o700 });
  for (const f of files) if (!f.path.includes('/')) writeFileSync(join(dir, f.path), f.content, { mode: 0o600 });
  // When the lease is gone already, starting fails next and nothing runs here.
  await retryUnavailable(() => relocateHeld(store.db, row.id, owner, dir));
  return { ...row, dir };
}

/**
 * Stage start → schedule → finish → seal for an execution this process holds the lease of (its own
 * foreground run, or one a pool claimed).
 */
export async function executeExecution(session: Session, id: string, opts: ExecuteOptions = {}): Promise<ExecutionRecord> {
  const { store, ctx } = session;
  const found = await retryUnavailable(() => getExecution(store.db, id));
  if (!found?.dir) throw new RunnerError('EXECUTION_NOT_FOUND', `execution ${id} does not exist`, { kind: 'not_found' });
  const keeper = opts.keeper ?? processKeeper(store.db, ctx);
  const owner = keeper.holder.owner;
  const row = await hostDir(session, { ...found, dir: found.dir }, owner);
  const hooks = opts.hooks ?? registered;
  const manifest = JSON.parse(readFileSync(join(row.dir, 'workflow.json'), 'utf8')) as Manifest;
  // Loading the AppArmor profile spawns a parser: once per process, not per execution (a pool runs many).
  const apparmor = row.sandbox === 'bwrap' ? appArmorOnce() : 'unavailable';
  if (!(await retryUnavailable(() => startHeld(store.db, id, owner, apparmor, isoNow(ctx))))) {
    return loadRecord(session, (await retryUnavailable(() => getExecution(store.db, id)))!);
  }
  const extras = new Map<string, TaskExtras>();
  // The sink reads where the log stands (a resumed execution continues it): a lost database here,
  // after the start and before any task, must not fail an execution that never ran.
  const sink = await retryUnavailable(() => new LogSink(store.db, id, { capBytes: logCapFromEnv(ctx.env), mirrorDir: join(row.dir, 'logs') }));
  const abort = new AbortController();
  const untrack = keeper.track(id, abort);
  const unwatch = opts.signals === false ? () => undefined : abortOnSignals(abort);
  const onShutdown = (): void => abort.abort('shutdown');
  opts.shutdown?.addEventListener('abort', onShutdown, { once: true });
  try {
    const parallel = opts.parallel ?? (Number(ctx.env.MAESTRO_PARALLEL) || Math.max(2, availableParallelism()));
    const states = await runDag(
      manifest.spec.tasks,
      parallel,
      (t) => runTask(session, row, manifest, t, abort.signal, owner, extras, sink, opts.progress, opts.onRunning),
      () => abort.signal.aborted,
    );
    // Every line is in the database before the status says the execution ended: a follower that
    // stops on the terminal status has read them all.
    await retryUnavailable(() => sink.flush());
    const failed = [...states.values()].some((s) => s === 'failed');
    const at = isoNow(ctx);
    // The final writes are fenced and idempotent: while the database is unreachable (PostgreSQL
    // restarting) they are retried until they land, so a result is never lost (ADR 0028).
    const lostTo = await retryUnavailable((): ExecutionRow | null => {
      if (abort.signal.aborted) {
        const why = abort.signal.reason as unknown;
        const now = getExecution(store.db, id);
        // Another holder has it now (our lease expired): touch nothing.
        if (why === 'lost' && now?.status !== 'cancelled') return now ?? row;
        if (why === 'shutdown' && now?.status !== 'cancelled') {
          settleTasks(store.db, id, 'failed', `worker ${owner} shut down while this task was running`, at, 'running');
          settleTasks(store.db, id, 'skipped', `worker ${owner} shut down before this task started`, at, 'pending');
          finishHeld(store.db, id, owner, 'failed', `worker ${owner} shut down before the execution finished`, at);
        } else {
          settleTasks(store.db, id, 'cancelled', 'the execution was cancelled', at);
          finishHeld(store.db, id, owner, 'cancelled', 'cancelled', at);
        }
      } else {
        settleTasks(store.db, id, 'skipped', 'a task it needs did not succeed', at, 'pending');
        const firstFailed = manifest.spec.tasks.find((t) => states.get(t.id) === 'failed');
        finishHeld(store.db, id, owner, failed ? 'failed' : 'succeeded', failed ? `task ${firstFailed?.id} failed` : null, at);
      }
      return null;
    });
    if (lostTo) return loadRecord(session, lostTo, extras);
  } finally {
    sink.flushQuietly();
    opts.shutdown?.removeEventListener('abort', onShutdown);
    untrack();
    unwatch();
  }
  const final = (await retryUnavailable(() => getExecution(store.db, id)))!;
  if (final.lease_owner !== owner && final.lease_owner !== null) return loadRecord(session, final, extras);
  return (await retryUnavailable(() => sealExecution(session, id, hooks.finished))) ?? loadRecord(session, final, extras);
}

const live = new Set<AbortController>();
const onSignal = (): void => {
  for (const a of live) a.abort('signal');
};

/** SIGTERM/SIGINT cancel every execution this process runs (one listener, however many executions). */
function abortOnSignals(a: AbortController): () => void {
  if (live.size === 0) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  live.add(a);
  return () => {
    live.delete(a);
    if (live.size === 0) {
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGINT', onSignal);
    }
  };
}

/** One task: sandboxed run, logs streamed line by line, usage and writes recorded. */
async function runTask(
  session: Session,
  row: ExecutionRow,
  manifest: Manifest,
  task: TaskSpec,
  signal: AbortSignal,
  owner: string,
  extras: Map<string, TaskExtras>,
  sink: LogSink,
  progress?: (e: TaskEvent) => void,
  onRunning?: () => void,
): Promise<boolean> {
  const { store, ctx } = session;
  // Fenced: a task starts only while we hold the lease, so a reclaimed execution never runs twice.
  // Fenced and idempotent, so retried while the database is unreachable (ADR 0028).
  if (signal.aborted || !(await retryUnavailable(() => markTaskStartedHeld(store.db, row.id, task.id, owner, isoNow(ctx), null)))) return false;
  progress?.({ task: task.id, phase: 'started' });
  const owningTenant = session.tenant.id === row.tenant_id ? session.tenant : await retryUnavailable(() => findTenant(store, row.tenant_id));
  // The local logs/<task>.ndjson exists from the start; the sink appends to it what the database committed.
  writeFileSync(join(row.dir!, 'logs', `${task.id}.ndjson`), '', { flag: 'a' });
  let outcome: TaskOutcome;
  try {
    outcome = await runSandboxed(
      {
        command: task.run,
        ...(manifest.spec.workspace ? { workspace: manifest.spec.workspace } : {}),
        outDir: join(row.dir!, 'out', task.id),
        env: task.env,
        network: task.network,
        // The whole resources object: limits the sandbox adds flow through without runner edits.
        resources: task.resources,
        mode: (row.sandbox ?? 'bwrap') as SandboxMode,
        runtimeDir: join(ctx.home, 'runtime'),
        signal,
        // ADR 0017: a tenant that requires the sandbox (the default) also refuses to run without a cgroup.
        onMissingCgroup: owningTenant?.requireSandbox === false ? 'warn' : 'refuse',
      },
      {
        // The database holds the lines (ADR 0030); logs/<task>.ndjson keeps the same records locally.
        line: (stream, line) => {
          sink.push(task.id, stream, [line], isoNow(ctx));
        },
        // One write per read of the task's pipe (not per line) keeps pace with a fast writer.
        lines: (stream, lines) => {
          sink.push(task.id, stream, lines, isoNow(ctx));
        },
        started: (pgid, msAgo) => {
          const at = msAgo ? new Date(Date.parse(isoNow(ctx)) - msAgo).toISOString() : isoNow(ctx);
          const record = () => {
            markTaskStartedHeld(store.db, row.id, task.id, owner, at, pgid);
            markExecutionStarted(store.db, row.id, at);
          };
          try {
            record();
          } catch (err) {
            // The database is away (PostgreSQL restarting): record the sandbox's start once it is back.
            if (!isStoreUnavailable(err)) throw err;
            void retryUnavailable(record).catch(() => undefined);
          }
          onRunning?.();
        },
      },
    );
  } catch (err) {
    sink.push(task.id, 'stderr', [`maestro: ${(err as Error).message}`], isoNow(ctx));
    await retryUnavailable(() =>
      markTaskFinished(store.db, {
        execution_id: row.id,
        task_id: task.id,
        status: 'failed',
        exit_code: null,
        reason: (err as Error).message,
        finished_at: isoNow(ctx),
        cpu_ms: null,
        peak_rss_kb: null,
        wall_ms: null,
        bytes_written: null,
      }),
    );
    progress?.({ task: task.id, phase: 'finished', status: 'failed', reason: (err as Error).message });
    return false;
  }
  const ok = outcome.exitCode === 0 && !outcome.timedOut && !outcome.cancelled && !outcome.exceeded;
  const status = outcome.cancelled ? 'cancelled' : ok ? 'succeeded' : 'failed';
  const reason = outcome.reason ?? (ok ? null : outcome.signal ? `killed by ${outcome.signal}` : `exited with status ${outcome.exitCode}`);
  const extra: TaskExtras = { writes: outcome.writes, cpuSec: outcome.usage.cpuSec, peakRssMB: outcome.usage.peakRssMB };
  extras.set(task.id, extra);
  const u = outcome.usage;
  // A task's result is written even across a database restart (retried while unavailable, ADR 0028).
  await retryUnavailable(() =>
    markTaskFinished(store.db, {
      execution_id: row.id,
      task_id: task.id,
      status,
      exit_code: outcome.exitCode,
      reason,
      finished_at: isoNow(ctx),
      cpu_ms: u.cpuSec === null ? null : Math.round(u.cpuSec * 1000),
      peak_rss_kb: u.peakRssMB === null ? null : Math.round(u.peakRssMB * 1024),
      wall_ms: Math.round(u.wallSec * 1000),
      bytes_written: u.bytesWritten,
      extras: JSON.stringify(extra),
    }),
  );
  progress?.({ task: task.id, phase: 'finished', status, wallSec: u.wallSec, reason });
  return ok;
}
