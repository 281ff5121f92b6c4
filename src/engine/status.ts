/** `maestro status` and GET /api/executions/{id}: the execution, its cost and, with explain, its decisions. */
import type { Session } from '../tenancy/index.js';

/**
 * The execution record (latest when no id) with `cost: {estimatedUSD, actualUSD, driftPct}`, plus
 * `policy` (decisions and the tenant's budget context) when `explain` is set.
 * @example const s = await executionStatusView(session, { id, explain: true });
 */
export async function executionStatusView(session: Session, opts: { id?: string; explain?: boolean }) {
  const [runner, cost] = await Promise.all([import('../runner/index.js'), import('../cost/index.js')]);
  const record = runner.withFailureTails(runner.executionStatus(session, opts.id));
  const view = { ...record, cost: cost.costSummary(session.store, record.id) ?? { estimatedUSD: null, actualUSD: null, driftPct: null } };
  if (!opts.explain) return view;
  const packs = await import('../policy/packs/index.js');
  return { ...view, policy: packs.statusPolicy(session, session.tenant, record.id) };
}

export type ExecutionStatusView = Awaited<ReturnType<typeof executionStatusView>>;
