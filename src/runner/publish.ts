/**
 * Stages before anything runs: load → authorise → sandbox check → plan hook → decide hook →
 * atomic quota admission → publish the execution directory.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isoNow } from '../core/context.js';
import { loadManifest, topoOrder } from '../manifest/index.js';
import type { LoadedManifest, TaskSpec } from '../manifest/manifest.types.js';
import { admitExecution, claimExecution, insertDeniedExecution, insertTaskRuns, type NewExecution } from '../store/executions.js';
import { requirePermission, type Session } from '../tenancy/index.js';
import { createHash } from 'node:crypto';
import type { DecideOutcome, ExecutionHooks } from './hooks.types.js';
import { newExecutionId } from './ids.js';
import { processStartTime } from './recovery.js';
import { requireBwrap } from './sandbox.js';
import type { SandboxMode } from './sandbox.types.js';

export interface PublishOptions {
  manifestPath: string;
  sandbox: SandboxMode;
  detached: boolean;
  hooks?: ExecutionHooks;
}

export interface Published {
  id: string;
  dir: string;
  loaded: LoadedManifest;
  admitted: boolean;
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

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

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
  mkdirSync(join(dir, 'logs'), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'manifest.yaml'), loaded.source);
  writeJson(join(dir, 'workflow.json'), loaded.manifest);
  const args = { session, loaded, executionId: id, sandbox: opts.sandbox };
  const planned = opts.hooks?.plan ? await opts.hooks.plan(args) : undefined;
  if (planned) writeJson(join(dir, 'plan.json'), planned.plan);
  const decided: DecideOutcome | undefined = opts.hooks?.decide
    ? await opts.hooks.decide({ ...args, estimatedCostMicros: planned?.estimatedCostMicros ?? null, plan: planned?.plan ?? null })
    : undefined;
  if (decided) writeJson(join(dir, 'decisions.json'), decided.decisions);
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
  if (decided && !decided.allow) {
    insertDeniedExecution(store.db, row, decided.reasons.join('; ') || 'denied by policy');
    insertTaskRuns(store.db, id, tasks);
    return { id, dir, loaded, admitted: false, warnings };
  }
  const admission = admitExecution(store.db, row, tenant.maxConcurrent, (holders) => quotaDenial(tenant.name, tenant.maxConcurrent, holders));
  insertTaskRuns(store.db, id, tasks);
  if (admission.admitted) claimExecution(store.db, id, process.pid, processStartTime(process.pid) ?? '');
  return { id, dir, loaded, admitted: admission.admitted, warnings };
}
