/**
 * The policy input for a session: the typed parts are read from the store (slots in use, spent today)
 * and the caller's plan, so `plan`, `run` and `cancel` build it in one call.
 */
import { spentTodayMicros } from '../../cost/index.js';
import type { LoadedManifest } from '../../manifest/manifest.types.js';
import { executionAdmission } from '../../store/policy.js';
import { slotHolderIds } from '../../store/queue.js';
import type { Session } from '../../tenancy/index.js';
import { buildPolicyInput, type PolicyInput, type PolicyWorkflow } from './input.js';

export interface SessionInputOptions {
  action: string;
  manifest?: LoadedManifest;
  /** Or the workflow's policy-relevant shape (e.g. from a cost plan). */
  workflow?: PolicyWorkflow;
  /** The plan's total estimate in micro-dollars (cost governor's plan.estimatedCostMicros). */
  estimateMicros?: number;
  /** --region; defaults to the workflow's region. */
  region?: string;
  /** --resource-class; defaults to the workflow's class. */
  resourceClass?: string;
  /** "bwrap" or "none" (--sandbox none). */
  sandbox?: string;
  /** The execution being admitted, already in the store: left out of the slots and spend. */
  executionId?: string;
}

/**
 * Gather the input for an action of the session's caller from the store.
 * @example const input = policyInputFor(session, { action: 'plan', manifest, estimateMicros: plan.estimatedCostMicros });
 */
export function policyInputFor(session: Pick<Session, 'ctx' | 'store' | 'identity' | 'tenant'>, opts: SessionInputOptions): PolicyInput {
  const { store, ctx, tenant } = session;
  const self = opts.executionId ? executionAdmission(store.db, opts.executionId) : undefined;
  // Slot holders only: executions waiting for a slot (wait mode) hold none, so they are not in use.
  const active = slotHolderIds(store.db, tenant.id).filter((id) => id !== opts.executionId);
  let spent = spentTodayMicros(store, tenant, ctx.clock.now());
  if (self && (self.status === 'queued' || self.status === 'running')) spent -= self.estimatedMicros ?? 0;
  return buildPolicyInput({
    action: opts.action,
    identity: session.identity,
    tenant,
    activeExecutions: active,
    spentTodayMicros: Math.max(0, spent),
    estimateMicros: opts.estimateMicros ?? 0,
    manifest: opts.manifest?.manifest,
    workflow: opts.workflow,
    requestRegion: opts.region ?? (ctx.env.MAESTRO_REGION || undefined),
    requestResourceClass: opts.resourceClass,
    sandbox: opts.sandbox,
  });
}
