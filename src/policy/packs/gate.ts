/**
 * One call for the commands and the runner's admission hook: build the input from the session and
 * decide. Returns the decision plus the one-line texts the runner prints; it never throws for a deny
 * (a denied run is a result), only `deniedError(decision)` turns it into exit 3.
 */

import type { Session } from '../../tenancy/index.js';
import { type Decision, decide } from './decide.js';
import { policyInputFor, type SessionInputOptions } from './session-input.js';

export interface PolicyGateOptions extends SessionInputOptions {
  /** Explain every pack, not only the ones that fired (plan --explain). */
  explain?: boolean;
  /** Append the decision to executions/<id>/decisions.json (default true; see DecideRequest). */
  executionFile?: boolean;
}

export interface PolicyGateResult {
  allow: boolean;
  outcome: Decision['outcome'];
  /** "message [pack/rule file:line]" per deny reason. */
  reasons: string[];
  /** The same for warnings. */
  warnings: string[];
  decisions: Decision[];
  decision: Decision;
}

const line = (r: Decision['reasons'][number]): string => `${r.message} [${r.pack}/${r.rule}${r.location ? ` ${r.location}` : ''}]`;

/**
 * Decide an action for the session's caller from typed parts and record it.
 * @example
 *   const g = await policyGate(session, { action: 'run', manifest, estimateMicros: plan.estimatedCostMicros, sandbox: 'bwrap', executionId });
 *   if (!g.allow) throw deniedError(g.decision);
 */
export async function policyGate(session: Pick<Session, 'ctx' | 'store' | 'identity' | 'tenant'>, opts: PolicyGateOptions): Promise<PolicyGateResult> {
  const input = policyInputFor(session, opts);
  const decision = await decide(session, {
    action: opts.action,
    input,
    executionId: opts.executionId ?? null,
    explain: opts.explain ?? false,
    ...(opts.executionFile === false ? { executionFile: false } : {}),
  });
  return {
    allow: decision.allow,
    outcome: decision.outcome,
    reasons: decision.reasons.map(line),
    warnings: decision.warnings.map(line),
    decisions: [decision],
    decision,
  };
}

/** What the runner's `decide` hook receives (src/runner/hooks.types.ts DecideArgs, structurally). */
export interface RunnerDecideArgs {
  session: Session;
  loaded: NonNullable<SessionInputOptions['manifest']>;
  executionId: string;
  sandbox: string;
  estimatedCostMicros: number | null;
}

/**
 * The runner's `decide` hook: evaluates the tenant's packs for `run` and returns the runner's
 * DecideOutcome (`decisions` is what the runner writes to decisions.json).
 * @example
 *   await executeWorkflow(session, { ..., hooks: { plan, decide: runDecideHook({ region: flags.region }) } });
 */
export function runDecideHook(opts: { region?: string; resourceClass?: string } = {}) {
  return async (a: RunnerDecideArgs): Promise<{ allow: boolean; reasons: string[]; warnings: string[]; decisions: unknown }> => {
    const g = await policyGate(a.session, {
      action: 'run',
      manifest: a.loaded,
      estimateMicros: a.estimatedCostMicros ?? 0,
      sandbox: a.sandbox,
      executionId: a.executionId,
      // The runner writes decisions.json from `decisions` below: one write per publish, not two.
      executionFile: false,
      ...opts,
    });
    return { allow: g.allow, reasons: g.reasons, warnings: g.warnings, decisions: g.decisions };
  };
}

/** The fields of a cost plan (src/cost Plan) the policy input needs. */
export interface PlanLike {
  workflow: string;
  region: string;
  resourceClass: string;
  estimatedCostMicros: number;
  tasks: ReadonlyArray<{ id: string; uses: string; resources: object }>;
}

/**
 * Decide a `plan` from the cost governor's plan (what `maestro plan` shows as each pack's verdict).
 * @example
 *   const plan = await planManifest(session, path);
 *   const g = await planPolicy(session, plan, { explain: flags.explain });
 */
export async function planPolicy(
  session: Pick<Session, 'ctx' | 'store' | 'identity' | 'tenant'>,
  plan: PlanLike,
  opts: { explain?: boolean; region?: string; resourceClass?: string; sandbox?: string } = {},
): Promise<PolicyGateResult> {
  const workflow = { name: plan.workflow, region: plan.region, resourceClass: plan.resourceClass, tasks: plan.tasks };
  return policyGate(session, { action: 'plan', workflow, estimateMicros: plan.estimatedCostMicros, ...opts });
}
