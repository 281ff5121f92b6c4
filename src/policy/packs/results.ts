/**
 * What other rooms read back: the denial error for exit 3, an execution's decisions and budget
 * context for `status --explain`, and the counters the control plane exports as metrics.
 */
import { DeniedError } from '../../core/errors.js';
import { spentTodayMicros } from '../../cost/index.js';
import { liveEstimates } from '../../store/cost.js';
import type { Store } from '../../store/index.js';
import { decisionsForExecution, denyCounts, evalHistogram, latestEstimates } from '../../store/policy.js';
import type { Session, Tenant } from '../../tenancy/index.js';
import type { Decision } from './decide.js';
import { rowToDecision } from './record.js';

/**
 * One line naming every reason: `denied by policy: tenant acme at … [quota/deny policies/quota/policy.rego:27]; …`.
 * @example formatDenial(decision)
 */
export function formatDenial(d: Pick<Decision, 'reasons'>): string {
  const parts = d.reasons.map((r) => `${r.message} [${r.pack}/${r.rule}${r.location ? ` ${r.location}` : ''}]`);
  return `denied by policy: ${parts.join('; ')}`;
}

/**
 * The DeniedError (exit 3) for a deny decision; its details carry the whole decision for --json.
 * @example if (!d.allow) throw deniedError(d);
 */
export function deniedError(d: Decision): DeniedError {
  const packs = [...new Set(d.reasons.map((r) => r.pack))].join(', ');
  return new DeniedError(d.failClosed ? 'POLICY_FAIL_CLOSED' : 'POLICY_DENIED', formatDenial(d), {
    hint: d.failClosed ? 'the policy engine failed closed; see the reason, fix it, and retry' : `see why: maestro plan <manifest> --explain (packs: ${packs})`,
    details: { decision: d },
  });
}

/** Decisions recorded for an execution, oldest first. */
export function decisionsFor(session: Pick<Session, 'store' | 'identity'>, executionId: string): Decision[] {
  return decisionsForExecution(session.store.db, executionId).map((r) => rowToDecision(r, session.identity.tenantName));
}

/** What `status --explain` shows besides the execution's live state. */
export interface StatusPolicy {
  decisions: Decision[];
  budget: { capUSD: number; spentUSD: number; liveEstimatesUSD: number; projectedUSD: number; remainingUSD: number; projectedPct: number | null };
}

/**
 * The decisions made for an execution and its tenant's budget context now (cap, spent, remaining,
 * projected = spent plus the estimates of executions still running).
 * @example statusPolicy(session, tenant, 'ex_…').budget.remainingUSD
 */
export function statusPolicy(session: Pick<Session, 'ctx' | 'store' | 'identity'>, tenant: Tenant, executionId: string | undefined): StatusPolicy {
  const projected = spentTodayMicros(session.store, tenant, session.ctx.clock.now());
  const live = liveEstimates(session.store.db, tenant.id);
  const cap = tenant.dailyBudgetMicros;
  const usd = (m: number): number => m / 1_000_000;
  return {
    decisions: executionId ? decisionsFor(session, executionId) : [],
    budget: {
      capUSD: usd(cap),
      spentUSD: usd(Math.max(0, projected - live)),
      liveEstimatesUSD: usd(live),
      projectedUSD: usd(projected),
      remainingUSD: usd(cap - projected),
      projectedPct: cap > 0 ? Math.round((projected / cap) * 1000) / 10 : null,
    },
  };
}

export interface PolicyMetrics {
  /** mc_tenant_denies_total{tenant, pack} */
  deniesTotal: Array<{ tenant: string; pack: string; value: number }>;
  /** mc_policy_eval_ms histogram (cumulative buckets, Prometheus style). */
  evalMs: { buckets: Array<{ le: string; count: number }>; count: number; sum: number };
  /** mc_cost_estimate_usd{tenant}: the latest estimate a decision saw. */
  costEstimateUSD: Array<{ tenant: string; value: number }>;
}

/**
 * The policy counters for the metrics exporter (tenant ids as labels).
 * @example policyMetrics(store).deniesTotal
 */
export function policyMetrics(store: Store): PolicyMetrics {
  const h = evalHistogram(store.db);
  return {
    deniesTotal: denyCounts(store.db).map((r) => ({ tenant: r.tenantId, pack: r.packId, value: r.denies })),
    evalMs: { buckets: h.buckets, count: h.count, sum: h.sumMs },
    costEstimateUSD: latestEstimates(store.db).map((r) => ({ tenant: r.tenantId, value: r.estimateMicros / 1_000_000 })),
  };
}
