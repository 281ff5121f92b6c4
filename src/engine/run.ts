/**
 * POST /api/executions: publish a run whose manifest arrived as text; a worker pool executes it. And
 * the pool itself, composed with the engine's hooks (ADR 0014).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, relative, resolve } from 'node:path';
import type { Context } from '../core/context.js';
import { EngineError, UsageError } from '../core/errors.js';
import type { ExecutionRow } from '../store/executions.js';
import type { Store } from '../store/index.js';
import { findTenant, permissionsFor, type Session } from '../tenancy/index.js';
import { findMemberRole } from '../tenancy/tenants.js';
import { buildRunHooks, evidenceFinisher, sealUnsealed } from './hooks.js';

export interface PublishRunRequest {
  manifest: string;
  /** Files of the manifest's workspace, written beside the uploaded manifest. */
  workspace?: { root: string; files: Array<{ path: string; mode: number; data: string }> };
  /** File name shown in messages (default manifest.yaml). */
  name?: string;
  sandbox?: 'bwrap' | 'none';
  region?: string;
  /** Wait mode: over the concurrency quota, stay queued until a slot frees (instead of denied). */
  queue?: boolean;
}

export interface PublishRunOptions {
  /** Called once the execution is queued (the server wakes its embedded pool). */
  onQueued?: (id: string) => void;
}

/**
 * Store the uploaded manifest under the state home and publish it (plan, decide, atomic admission)
 * with the caller's session; returns the execution record (queued, or denied) without waiting.
 * A relative `workspace` resolves against the upload folder, so remote manifests should not use one.
 * @example const r = await publishRun(session, { manifest: yamlText, name: 'wf.yaml' });
 */
export async function publishRun(session: Session, req: PublishRunRequest, opts: PublishRunOptions = {}) {
  const { runManifest } = await import('../runner/index.js');
  const name = basename(req.name ?? 'manifest.yaml');
  if (!/^[\w.-]{1,128}$/.test(name)) throw new UsageError('BAD_MANIFEST_NAME', `manifest name "${name}" is not a plain file name`);
  const dir = join(session.ctx.home, 'uploads', session.ctx.random.uuid());
  // On libuv's thread pool: the server's event loop only queues the upload's mkdir and write (ADR 0035).
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, name);
  await writeFile(path, req.manifest, { mode: 0o600 });
  if (req.workspace) writeWorkspace(dir, req.workspace);
  const hooks = await buildRunHooks(session, req.region ? { region: req.region } : {});
  return runManifest(session, {
    manifestPath: path,
    sandbox: req.sandbox ?? 'bwrap',
    detach: true,
    hooks,
    queue: req.queue === true,
    ...(opts.onQueued ? { onQueued: opts.onQueued } : {}),
  });
}

/**
 * Write uploaded workspace files under the upload folder. Every path is checked before anything is
 * written: escaping the folder, naming the folder itself ("." or ""), duplicates (after normalising),
 * and a file that another file needs as a directory ("a" and "a/b") are 400s naming the path. On any
 * refusal or write failure the upload folder is removed (nothing half-written), and messages name
 * the uploaded path only, never a server path.
 */
function writeWorkspace(dir: string, ws: NonNullable<PublishRunRequest['workspace']>): void {
  try {
    const files = checkWorkspace(dir, ws);
    for (const f of files) {
      mkdirSync(dirname(f.target), { recursive: true, mode: 0o755 });
      // World-readable: the sandboxed task runs as uid 65534 and reads its workspace.
      try {
        writeFileSync(f.target, Buffer.from(f.data, 'base64'), { mode: (f.mode & 0o755) | 0o444 });
      } catch (err) {
        throw new UsageError(
          'WORKSPACE_WRITE_FAILED',
          `workspace file ${JSON.stringify(f.path)} cannot be written (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

const MAX_SHOWN_PATH = 200;
const shown = (p: string): string => JSON.stringify(p.length > MAX_SHOWN_PATH ? `${p.slice(0, MAX_SHOWN_PATH)}…` : p);

// Every upload path resolved and checked as a set; returns the files with their targets.
function checkWorkspace(dir: string, ws: NonNullable<PublishRunRequest['workspace']>) {
  const root = resolve(dir, ws.root);
  const rootRel = relative(dir, root);
  if (isAbsolute(normalize(ws.root)) || rootRel.startsWith('..') || isAbsolute(rootRel)) {
    throw new UsageError('WORKSPACE_PATH_ESCAPES', `workspace root ${shown(ws.root)} escapes the upload folder`, { hint: 'use a relative root such as "."' });
  }
  const byRel = new Map<string, string>();
  const out: Array<{ path: string; mode: number; data: string; target: string }> = [];
  for (const f of ws.files) {
    const bad = (code: string, why: string) =>
      new UsageError(code, `workspace path ${shown(f.path)} ${why}`, { hint: 'send each file once, as a relative path below the workspace root' });
    if (f.path.includes('\0')) throw bad('WORKSPACE_PATH_INVALID', 'contains a NUL byte');
    if (isAbsolute(f.path)) throw bad('WORKSPACE_PATH_ESCAPES', 'is absolute');
    const target = resolve(root, f.path);
    const rel = relative(root, target);
    const fromDir = relative(dir, target);
    if (fromDir.startsWith('..') || isAbsolute(fromDir)) throw bad('WORKSPACE_PATH_ESCAPES', 'escapes the upload folder');
    if (rel === '' || f.path.endsWith('/')) throw bad('WORKSPACE_PATH_NOT_FILE', 'names a directory, not a file');
    const twin = byRel.get(rel);
    if (twin !== undefined) throw bad('WORKSPACE_PATH_DUPLICATE', twin === f.path ? 'is sent twice' : `is the same file as ${shown(twin)}`);
    byRel.set(rel, f.path);
    out.push({ ...f, target });
  }
  // A file whose path is a parent directory of another file ("a" and "a/b").
  for (const [rel, path] of byRel) {
    for (let parent = dirname(rel); parent !== '.' && parent !== '/' && parent !== ''; parent = dirname(parent)) {
      const file = byRel.get(parent);
      if (file !== undefined)
        throw new UsageError(
          'WORKSPACE_PATH_CONFLICT',
          `workspace path ${shown(path)} needs ${shown(file)} to be a directory, but ${shown(file)} is also sent as a file`,
          { hint: 'drop one of the two paths' },
        );
    }
  }
  return out;
}

/**
 * The session an execution runs under in a worker: its tenant, and its publisher as the subject (with
 * their current role, else operator: the run was authorised when it was published).
 */
export function executionSession(ctx: Context, store: Store, row: ExecutionRow): Session {
  const tenant = findTenant(store, row.tenant_id);
  if (!tenant) throw new EngineError('TENANT_GONE', `the tenant ${row.tenant_id} of execution ${row.id} no longer exists`);
  const role = findMemberRole(store, tenant.id, row.subject) ?? 'operator';
  const identity = { subject: row.subject, tenantId: tenant.id, tenantName: tenant.name, role, roles: [role], permissions: permissionsFor(role) };
  return { ctx, store, identity, tenant, created: false, close: () => undefined };
}

export interface WorkerPoolRequest {
  concurrency: number;
  kind: 'pool' | 'serve';
  graceMs?: number;
  once?: boolean;
  idleExitMs?: number | null;
  beforeIdleExit?: () => boolean;
  onEvent?: (e: import('../runner/index.js').PoolEvent) => void;
}

/**
 * A worker pool on a state home's store, running executions with the engine's evidence hooks and
 * recovering (reclaim + seal) as it goes.
 * @example const pool = await createWorkerPool(ctx, store, { concurrency: 64, kind: 'pool' }); await pool.start();
 */
export async function createWorkerPool(ctx: Context, store: Store, req: WorkerPoolRequest) {
  const runner = await import('../runner/index.js');
  const finished = await evidenceFinisher({ ctx, store });
  let sealing = false;
  return new runner.WorkerPool({
    ctx,
    store,
    concurrency: req.concurrency,
    kind: req.kind,
    ...(req.once === undefined ? {} : { once: req.once }),
    ...(req.idleExitMs === undefined ? {} : { idleExitMs: req.idleExitMs }),
    ...(req.beforeIdleExit ? { beforeIdleExit: req.beforeIdleExit } : {}),
    ...(req.onEvent ? { onEvent: req.onEvent } : {}),
    ...(req.graceMs === undefined ? {} : { graceMs: req.graceMs }),
    prepare: async (row) => ({ session: executionSession(ctx, store, row), hooks: { finished } }),
    sealPending: async () => {
      if (sealing) return 0;
      sealing = true;
      try {
        // The pool reclaimed expired leases just before (WorkerPool.recover): only sealing is left.
        return await sealUnsealed({ ctx, store });
      } finally {
        sealing = false;
      }
    },
  });
}

export interface RunWorkerRequest {
  concurrency: number;
  once?: boolean;
  /** The on-demand local worker of `run --detach`: pidfile handoff, exit when idle. */
  local?: boolean;
  /** Idle period before a local worker exits, ms ($MAESTRO_WORKER_IDLE_MS, default 30 s). */
  idleExitMs?: number;
  /** Aborting stops the pool gracefully. */
  signal?: AbortSignal;
  onEvent?: (e: import('../runner/index.js').PoolEvent) => void;
  /** The pool of `maestro serve` run as its child process (ADR 0037): its leases say `serve`. */
  serve?: boolean;
  /** Called once the pool is registered and about to claim: its id, and how to wake it. */
  onStart?: (pool: { id: string; wake: () => void }) => void;
}

export type WorkerSummary = import('../runner/index.js').PoolSummary & { local: boolean; skipped?: string };

/**
 * `maestro worker`: a pool on this state home until stopped (signal), drained (`once`) or idle (local).
 * @example const s = await runWorker(ctx, { concurrency: 8, once: true });
 */
export async function runWorker(ctx: Context, req: RunWorkerRequest): Promise<WorkerSummary> {
  const [{ openStore }, { ensureInitialized }, runner, queue] = await Promise.all([
    import('../store/index.js'),
    import('../tenancy/index.js'),
    import('../runner/index.js'),
    import('../store/queue.js'),
  ]);
  // On PostgreSQL a statement waits up to 15 s for a restarted server before failing (ADR 0028): a
  // dedicated worker process rides out a database restart instead of failing the executions it runs.
  const store = openStore(ctx, { reconnectMs: 15_000 });
  try {
    await ensureInitialized(ctx, store);
    const local = req.local === true;
    if (local && !(await takeOverPidfile(ctx.home, runner))) {
      return { ...runner.emptyPoolSummary('', req.concurrency), local, skipped: 'another local worker runs for this state home' };
    }
    try {
      const idle = req.idleExitMs ?? (Number(ctx.env.MAESTRO_WORKER_IDLE_MS) || 30_000);
      const pool = await createWorkerPool(ctx, store, {
        concurrency: req.concurrency,
        kind: req.serve ? 'serve' : 'pool',
        ...(req.serve ? { graceMs: Number(ctx.env.MAESTRO_WORKER_GRACE_MS) || 2000 } : {}),
        ...(req.once ? { once: true } : {}),
        ...(req.onEvent ? { onEvent: req.onEvent } : {}),
        ...(local
          ? {
              idleExitMs: idle,
              // Give the pidfile up first, then look once more: a run --detach that queued meanwhile
              // either saw our pidfile (so we see its execution now) or starts its own worker.
              beforeIdleExit: () => {
                runner.releasePidfile(ctx.home);
                if (queue.claimableCount(store.db) === 0) return true;
                return !runner.acquirePidfile(ctx.home);
              },
            }
          : {}),
      });
      const stop = () => void pool.stop('signal');
      if (req.signal?.aborted) stop();
      req.signal?.addEventListener('abort', stop, { once: true });
      const started = pool.start();
      req.onStart?.({ id: pool.id, wake: () => pool.wake() });
      const summary = await started;
      req.signal?.removeEventListener('abort', stop);
      return { ...summary, local };
    } finally {
      if (local) runner.releasePidfile(ctx.home);
    }
  } finally {
    store.close();
  }
}

/** A local worker starts only when the pidfile names it (the spawner hands it over) or is free. */
async function takeOverPidfile(home: string, runner: typeof import('../runner/index.js')): Promise<boolean> {
  for (let i = 0; i < 60; i++) {
    const cur = runner.readPidfile(home);
    if (cur?.pid === process.pid) return true;
    if (!cur || !runner.sameProcessAlive(cur.pid, cur.start)) return runner.acquirePidfile(home);
    if (cur.pid !== process.ppid) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/**
 * `maestro serve`'s embedded pool in its own supervised process (ADR 0037); resolves once it claims.
 * @example const pool = await startServePool(ctx, { concurrency: 64, graceMs: 2000, note: console.error });
 */
export async function startServePool(ctx: Context, req: import('../runner/index.js').PoolProcessOptions) {
  const runner = await import('../runner/index.js');
  return runner.startPoolProcess(ctx, req);
}
