/**
 * The execution pipeline, as explicit stages:
 *   publish (publish.ts: load, authorise, plan hook, decide hook, atomic admission, directory)
 *   → start (claim, status running) → schedule (DAG of sandboxed tasks, logs streamed to ndjson)
 *   → finish (final status, execution.json) → finished hook (cost actuals, receipt).
 * Engine functions return plain data; commands render it (src/cli/render-run.ts).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, createWriteStream, existsSync, openSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isoNow } from '../core/context.js';
import type { Manifest, TaskSpec } from '../manifest/manifest.types.js';
import { claimExecution, getExecution, markFinished, markStarted, markTaskFinished, markTaskStarted, settleTasks, taskRuns, type ExecutionRow } from '../store/executions.js';
import { findTenant, type Session } from '../tenancy/index.js';
import { ensureAppArmorProfile } from './apparmor.js';
import { RunnerError } from './errors.js';
import type { ExecutionHooks } from './hooks.types.js';
import { hostArch } from './profiles.js';
import { publishExecution, type PublishOptions } from './publish.js';
import { buildRecord, extrasFromFile, writeRecordFile, type ExecutionRecord, type TaskExtras } from './record.js';
import { processStartTime, recoverOrphans } from './recovery.js';
import { runSandboxed } from './sandbox.js';
import type { SandboxMode, TaskOutcome } from './sandbox.types.js';
import { runDag } from './scheduler.js';

export type { ExecutionHooks, PlanArgs, PlanOutcome, DecideArgs, DecideOutcome } from './hooks.types.js';

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
  phase: 'started' | 'finished';
  status?: string;
  wallSec?: number;
  reason?: string | null;
}

export interface RunOptions extends Omit<PublishOptions, 'detached'> {
  /** Called as tasks start and finish (not for --detach). */
  progress?: (e: TaskEvent) => void;
  detach?: boolean;
  /** Max tasks of one execution running at once (default: MAESTRO_PARALLEL, else CPU count, min 2). */
  parallel?: number;
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

/** Reads the current record of an execution from the store (+ execution.json extras). */
export function loadRecord(session: Session, row: ExecutionRow, extras?: ReadonlyMap<string, TaskExtras>): ExecutionRecord {
  const file = extras ?? extrasFromFile(row.dir);
  const seccomp = row.sandbox === 'bwrap' ? { profile: 'default', arch: safeArch() } : null;
  return buildRecord(row, taskRuns(session.store.db, row.id), session.tenant.id === row.tenant_id ? session.tenant.name : row.tenant_id, file, seccomp);
}

function safeArch(): string {
  try {
    return hostArch();
  } catch {
    return process.arch;
  }
}

/**
 * Runs a manifest: publish, then execute here (or in a detached worker with `detach`).
 * @example
 *   const r = await runManifest(session, { manifestPath: 'wf.yaml', sandbox: 'bwrap' });
 */
export async function runManifest(session: Session, opts: RunOptions): Promise<RunResult> {
  recoverOrphans(session.store.db, isoNow(session.ctx));
  opts = { ...opts, hooks: opts.hooks ?? registered };
  const pub = await publishExecution(session, { ...opts, detached: opts.detach === true });
  const row = getExecution(session.store.db, pub.id)!;
  if (!pub.admitted) {
    settleTasks(session.store.db, pub.id, 'skipped', 'the execution was denied', row.finished_at ?? isoNow(session.ctx), 'pending');
    const record = loadRecord(session, getExecution(session.store.db, pub.id)!, new Map());
    writeRecordFile(pub.dir, record);
    if (opts.hooks?.finished) await opts.hooks.finished(record, pub.dir);
    return { record, exitCode: 3, warnings: pub.warnings };
  }
  writeRecordFile(pub.dir, loadRecord(session, row, new Map()));
  if (opts.detach) {
    spawnWorker(session, pub.id);
    return { record: loadRecord(session, row, new Map()), exitCode: 0, warnings: pub.warnings };
  }
  const record = await executeExecution(session, pub.id, opts);
  return { record, exitCode: exitCodeFor(record.status), warnings: pub.warnings };
}

/** The CLI entry (bin/run.js) next to this module, in dist or source layout. */
function binRunJs(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) if (existsSync(join(dir, 'bin', 'run.js'))) return join(dir, 'bin', 'run.js');
  throw new RunnerError('RUNNER_BIN_MISSING', 'cannot find bin/run.js to start the detached worker');
}

function spawnWorker(session: Session, id: string): void {
  // The worker's own errors (not the tasks' output) go to worker.log in the execution directory.
  const dir = getExecution(session.store.db, id)?.dir;
  const errFd = dir ? openSync(join(dir, 'worker.log'), 'a') : 'ignore';
  const child = spawn(process.execPath, [binRunJs(), 'run', '--worker', id], {
    detached: true,
    stdio: ['ignore', errFd, errFd],
    env: { ...process.env, ...session.ctx.env, MAESTRO_HOME: session.ctx.home },
    cwd: session.ctx.cwd,
  });
  child.unref();
  if (typeof errFd === 'number') closeSync(errFd);
  // The worker owns the execution from now on: crash recovery watches its pid, not ours.
  if (child.pid) claimExecution(session.store.db, id, child.pid, processStartTime(child.pid) ?? '');
}

/**
 * Stage start → schedule → finish for a published (queued) execution. Used in-process and by the
 * detached worker (`maestro run --worker <id>`).
 */
export async function executeExecution(session: Session, id: string, opts: { parallel?: number; hooks?: ExecutionHooks; progress?: (e: TaskEvent) => void } = {}): Promise<ExecutionRecord> {
  const { store, ctx } = session;
  const row = getExecution(store.db, id);
  if (!row || !row.dir) throw new RunnerError('EXECUTION_NOT_FOUND', `execution ${id} does not exist`, { kind: 'not_found' });
  const manifest = JSON.parse(readFileSync(join(row.dir, 'workflow.json'), 'utf8')) as Manifest;
  const apparmor = row.sandbox === 'bwrap' ? ensureAppArmorProfile() : 'unavailable';
  if (!markStarted(store.db, id, isoNow(ctx), process.pid, processStartTime(process.pid) ?? '', apparmor)) {
    return loadRecord(session, getExecution(store.db, id)!);
  }
  const extras = new Map<string, TaskExtras>();
  const abort = new AbortController();
  const unwatch = abortOnSignals(abort);
  const poll = setInterval(() => {
    if (getExecution(store.db, id)?.status === 'cancelled') abort.abort();
  }, 300);
  try {
    const parallel = opts.parallel ?? (Number(ctx.env.MAESTRO_PARALLEL) || Math.max(2, cpus().length));
    const states = await runDag(manifest.spec.tasks, parallel, (t) => runTask(session, row, manifest, t, abort.signal, extras, opts.progress), () => abort.signal.aborted);
    const failed = [...states.values()].some((s) => s === 'failed');
    const at = isoNow(ctx);
    if (abort.signal.aborted) {
      settleTasks(store.db, id, 'cancelled', 'the execution was cancelled', at);
      markFinished(store.db, id, 'cancelled', 'cancelled', at);
    } else {
      settleTasks(store.db, id, 'skipped', 'a task it needs did not succeed', at, 'pending');
      const firstFailed = manifest.spec.tasks.find((t) => states.get(t.id) === 'failed');
      markFinished(store.db, id, failed ? 'failed' : 'succeeded', failed ? `task ${firstFailed?.id} failed` : null, at);
    }
  } finally {
    clearInterval(poll);
    unwatch();
  }
  const record = loadRecord(session, getExecution(store.db, id)!, extras);
  writeRecordFile(row.dir, record);
  opts = { ...opts, hooks: opts.hooks ?? registered };
  if (opts.hooks?.finished) await opts.hooks.finished(record, row.dir);
  return record;
}

const live = new Set<AbortController>();
const onSignal = (): void => live.forEach((a) => a.abort());

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
async function runTask(session: Session, row: ExecutionRow, manifest: Manifest, task: TaskSpec, signal: AbortSignal, extras: Map<string, TaskExtras>, progress?: (e: TaskEvent) => void): Promise<boolean> {
  const { store, ctx } = session;
  progress?.({ task: task.id, phase: 'started' });
  const log = createWriteStream(join(row.dir!, 'logs', `${task.id}.ndjson`), { flags: 'a' });
  markTaskStarted(store.db, row.id, task.id, isoNow(ctx), null);
  let outcome: TaskOutcome;
  try {
    outcome = await runSandboxed({
      command: task.run,
      ...(manifest.spec.workspace ? { workspace: manifest.spec.workspace } : {}),
      outDir: join(row.dir!, 'out', task.id),
      env: task.env,
      network: task.network,
      resources: task.resources,
      mode: (row.sandbox ?? 'bwrap') as SandboxMode,
      runtimeDir: join(ctx.home, 'runtime'),
      signal,
      // ADR 0017: a tenant that requires the sandbox (the default) also refuses to run without a cgroup.
      onMissingCgroup: (session.tenant.id === row.tenant_id ? session.tenant : findTenant(store, row.tenant_id))?.requireSandbox === false ? 'warn' : 'refuse',
    }, {
      line: (stream, line) => (log.write(`${JSON.stringify({ ts: isoNow(ctx), stream, line })}\n`) ? undefined : once(log, 'drain').then(() => undefined)),
      // One write per read of the task's pipe (not per line) keeps pace with a fast writer.
      lines: (stream, lines) => {
        const ts = isoNow(ctx);
        return log.write(lines.map((line) => `${JSON.stringify({ ts, stream, line })}\n`).join('')) ? undefined : once(log, 'drain').then(() => undefined);
      },
      started: (pgid) => markTaskStarted(store.db, row.id, task.id, isoNow(ctx), pgid),
    });
  } catch (err) {
    log.write(`${JSON.stringify({ ts: isoNow(ctx), stream: 'stderr', line: `maestro: ${(err as Error).message}` })}\n`);
    await new Promise((r) => log.end(r));
    markTaskFinished(store.db, { execution_id: row.id, task_id: task.id, status: 'failed', exit_code: null, reason: (err as Error).message, finished_at: isoNow(ctx), cpu_ms: null, peak_rss_kb: null, wall_ms: null, bytes_written: null });
    progress?.({ task: task.id, phase: 'finished', status: 'failed', reason: (err as Error).message });
    return false;
  }
  await new Promise((r) => log.end(r));
  const ok = outcome.exitCode === 0 && !outcome.timedOut && !outcome.cancelled && !outcome.exceeded;
  const status = outcome.cancelled ? 'cancelled' : ok ? 'succeeded' : 'failed';
  const reason = outcome.reason ?? (ok ? null : outcome.signal ? `killed by ${outcome.signal}` : `exited with status ${outcome.exitCode}`);
  extras.set(task.id, { writes: outcome.writes, cpuSec: outcome.usage.cpuSec, peakRssMB: outcome.usage.peakRssMB });
  const u = outcome.usage;
  markTaskFinished(store.db, {
    execution_id: row.id, task_id: task.id, status, exit_code: outcome.exitCode, reason, finished_at: isoNow(ctx),
    cpu_ms: u.cpuSec === null ? null : Math.round(u.cpuSec * 1000),
    peak_rss_kb: u.peakRssMB === null ? null : Math.round(u.peakRssMB * 1024),
    wall_ms: Math.round(u.wallSec * 1000),
    bytes_written: u.bytesWritten,
  });
  progress?.({ task: task.id, phase: 'finished', status, wallSec: u.wallSec, reason });
  return ok;
}
