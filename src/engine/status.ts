/**
 * `maestro status` and GET /api/executions/{id}: the execution, its cost, its queue position and, with
 * explain, its decisions.
 */
import type { Session } from '../tenancy/index.js';

/**
 * The execution record (latest when no id) with `cost: {estimatedUSD, actualUSD, driftPct}`, plus
 * `policy` (decisions and the tenant's budget context) when `explain` is set.
 * @example const s = await executionStatusView(session, { id, explain: true });
 */
export async function executionStatusView(session: Session, opts: { id?: string; explain?: boolean }) {
  const [runner, cost, queue, executions, hooks] = await Promise.all([
    import('../runner/index.js'),
    import('../cost/index.js'),
    import('../store/queue.js'),
    import('../store/executions.js'),
    import('./hooks.js'),
  ]);
  // Reclaim executions of dead holders and rebuild evidence their runners never wrote (ADR 0015):
  // the one asked about first, then a bounded sweep.
  await hooks.recoverExecutions(session, 20, opts.id ? { first: opts.id } : {});
  const record = runner.withFailureTails(runner.executionStatus(session, opts.id), session.store.db);
  const row = executions.getExecution(session.store.db, record.id);
  const view = {
    ...record,
    cost: cost.costSummary(session.store, record.id) ?? { estimatedUSD: null, actualUSD: null, driftPct: null },
    /** 1-based position in the dispatch queue while queued, else null. */
    queuePosition: row ? queue.queuePosition(session.store.db, row) : null,
    /** Wait mode: queued without a quota slot yet. */
    waitingForSlot: row?.status === 'queued' && row.waiting === 1,
  };
  if (!opts.explain) return view;
  const packs = await import('../policy/packs/index.js');
  return { ...view, policy: packs.statusPolicy(session, session.tenant, record.id) };
}

export type ExecutionStatusView = Awaited<ReturnType<typeof executionStatusView>>;
