/**
 * Stages before anything runs: load → authorise → sandbox check → plan hook → decide hook →
 * atomic quota admission → publish the execution directory.
 */

import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isoNow } from '../core/context.js';
import { loadManifest, topoOrder } from '../manifest/index.js';
import type { LoadedManifest, TaskSpec } from '../manifest/manifest.types.js';
import type { NewExecution } from '../store/executions.js';
import type { EvidenceFileRow } from '../store/logs.js';
import { admit, insertDenied } from '../store/queue.js';
import { requirePermission, type Session } from '../tenancy/index.js';
import type { DecideOutcome, ExecutionHooks } from './hooks.types.js';
import { newExecutionId } from './ids.js';
import { requireBwrap } from './sandbox.js';
import type { SandboxMode } from './sandbox.types.js';
import { type LeaseKeeper, processKeeper } from './worker-lease.js';

export interface PublishOptions {
  manifestPath: string;
  sandbox: SandboxMode;
  /** True: a worker pool runs it (no lease now); false: this process runs it (it takes the lease). */
  detached: boolean;
  /** Wait mode: over the concurrency cap, stay queued until a slot frees instead of being denied. */
  queue?: boolean;
  hooks?: ExecutionHooks;
  /** The lease keeper of this process (default: the process's own). */
  keeper?: LeaseKeeper;
}

export interface Published {
  id: string;
  dir: string;
  loaded: LoadedManifest;
  admitted: boolean;
  /** Admitted in wait mode without a slot yet. */
  waiting: boolean;
  /** Why it was denied: policy, the concurrency quota or the daily budget. */
  deniedBy: 'policy' | 'quota' | 'budget' | null;
  warnings: string[];
}

/** The executions directory of a state home. */
export const executionsRoot = (home: string): string => join(home, 'executions');

/** sha256 of what a task runs (command, env, resources, network): recorded per task run. */
export function commandDigest(t: TaskSpec): string {
  const body = JSON.stringify({ uses: t.uses, run: t.run, env: Object.entries(t.env).sort(), resources: t.resources, network: t.network });
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

/** `tenant acme at concurrency quota (2/2 running: ex_a, ex_b)`. */
export function quotaDenial(tenant: string, max: number, holders: string[]): string {
  const shown = holders.slice(0, 10).join(', ');
  const more = holders.length > 10 ? `, … (+${holders.length - 10} more)` : '';
  return `tenant ${tenant} at concurrency quota (${holders.length}/${max} running${holders.length ? `: ${shown}${more}` : ''})`;
}

function usd(micros: number): string {
  return micros >= 10_000 || micros === 0 ? `$${(micros / 1_000_000).toFixed(2)}` : `$${(micros / 1_000_000).toFixed(6)}`;
}

/** `budget: tenant acme would exceed its daily budget: …` (the budget pack's wording, checked atomically). */
export function budgetDenial(tenant: string, spent: number, estimate: number, cap: number): string {
  const pct = cap > 0 ? `${(Math.round(((spent + estimate) / cap) * 1000) / 10).toFixed(1)}%` : 'the cap is $0.00';
  return `budget: tenant ${tenant} would exceed its daily budget: spent ${usd(spent)} (incl. queued and running estimates) + estimate ${usd(estimate)} = ${usd(spent + estimate)}, over the ${usd(cap)} cap (${pct})`;
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

const fileRow = (path: string, content: Buffer): EvidenceFileRow => ({
  path,
  size: content.length,
  sha256: createHash('sha256').update(content).digest('hex'),
  content,
});

/**
 * Publishes an execution: after this it exists in the store (queued, or denied) with its directory.
 * @example
 *   const p = await publishExecution(session, { manifestPath: 'wf.yaml', sandbox: 'bwrap', detached: false });
 */
export async function publishExecution(session: Session, opts: PublishOptions): Promise<Published> {
  const { ctx, store, identity, tenant } = session;
  requirePermission(identity, 'run');
  const loaded = await loadManifest(opts.manifestPath, ctx);
  if (opts.sandbox === 'bwrap') requireBwrap();
  const id = newExecutionId(ctx);
  const dir = join(executionsRoot(ctx.home), id);
  // The directories are made on libuv's thread pool (ADR 0035), before anything is written in them.
  // out/ is made here so that each task's out/<task> is one mkdir on the start path, not three.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await Promise.all([mkdir(join(dir, 'logs'), { mode: 0o700 }), mkdir(join(dir, 'out'), { mode: 0o755 })]);
  // The execution's files are written on libuv's thread pool while planning and deciding go on, and
  // all of them are on disk before the execution exists in the store (admission below): nothing a
  // worker reads is missing after a kill -9. decisions.json is written once, here, from the decide
  // hook's list (the engine's hook leaves the file to the runner); a hook that writes it itself is
  // overwritten by the runner's copy.
  const writes: Array<Promise<void>> = [];
  const published = new Map<string, string>();
  const put = (name: string, text: string) => {
    published.set(name, text);
    writes.push(writeFile(join(dir, name), text));
  };
  let planned: Awaited<ReturnType<NonNullable<ExecutionHooks['plan']>>> | undefined;
  let decided: DecideOutcome | undefined;
  try {
    put('manifest.yaml', loaded.source);
    put('workflow.json', json(loaded.manifest));
    const args = { session, loaded, executionId: id, sandbox: opts.sandbox };
    planned = opts.hooks?.plan ? await opts.hooks.plan(args) : undefined;
    if (planned) put('plan.json', json(planned.plan));
    decided = opts.hooks?.decide
      ? await opts.hooks.decide({
          ...args,
          estimatedCostMicros: planned?.estimatedCostMicros ?? null,
          plan: planned?.plan ?? null,
          ...(opts.queue ? { queue: true } : {}),
        })
      : undefined;
    if (decided) put('decisions.json', json(decided.decisions));
    await Promise.all(writes);
  } catch (err) {
    await Promise.allSettled(writes);
    throw err;
  }
  const row: NewExecution = {
    id,
    tenant_id: tenant.id,
    subject: identity.subject,
    workflow_name: loaded.manifest.metadata.name,
    manifest_digest: loaded.digest,
    manifest_path: loaded.path,
    sandbox: opts.sandbox,
    estimated_cost_micros: planned?.estimatedCostMicros ?? null,
    published_at: isoNow(ctx),
    dir,
    detached: opts.detached ? 1 : 0,
  };
  const tasks = topoOrder(loaded).map((t) => ({ id: t.id, digest: commandDigest(t) }));
  const warnings = decided?.warnings ?? [];
  const keeper = opts.keeper ?? processKeeper(store.db, ctx);
  const { leaseMs } = keeper.config;
  if (decided && !decided.allow) {
    // Held by this process until its evidence is written (recovery seals it if we die first).
    insertDenied(store.db, row, tasks, decided.reasons.join('; ') || 'denied by policy', keeper.holder, keeper.now(), leaseMs);
    return { id, dir, loaded, admitted: false, waiting: false, deniedBy: 'policy', warnings };
  }
  const result = admit(store.db, {
    row,
    tasks,
    maxConcurrent: tenant.maxConcurrent,
    wait: opts.queue === true,
    budget: opts.hooks?.budget?.(session) ?? null,
    // The foreground runner holds its execution from admission on (a pool claims detached ones); a
    // denial is held by the publisher until its evidence is written.
    holder: keeper.holder,
    nowMs: keeper.now(),
    leaseMs,
    quotaReason: (holders) => quotaDenial(tenant.name, tenant.maxConcurrent, holders),
    budgetReason: (spent, estimate, cap) => budgetDenial(tenant.name, spent, estimate, cap),
    // The last write of each file wins (decisions.json is put after the decide hook's append).
    files: [...published].map(([path, text]) => fileRow(path, Buffer.from(text, 'utf8'))),
  });
  if (!result.admitted) return { id, dir, loaded, admitted: false, waiting: false, deniedBy: result.cause, warnings };
  return { id, dir, loaded, admitted: true, waiting: result.waiting, deniedBy: null, warnings };
}
