/**
 * Wires the rooms into the execution pipeline: the cost governor plans before admission and prices
 * the actuals after the end, the policy packs decide before admission, and the receipt is signed last,
 * over a record that already carries its actual cost.
 */
import type { ExecutionHooks } from '../runner/index.js';
import type { Session } from '../tenancy/index.js';

export interface RunHookOptions {
  /** Region the run is requested for (default: the workflow's region). */
  region?: string;
  /** Price table overlaid on the built-in and state-home ones. */
  prices?: string;
}

/**
 * Register the engine's hooks for `maestro run` and its detached worker (one session per process).
 * @example await installRunHooks(session, { region: 'EU' }); await runManifest(session, {...});
 */
export async function installRunHooks(session: Session, opts: RunHookOptions = {}): Promise<void> {
  const { registerExecutionHooks } = await import('../runner/index.js');
  registerExecutionHooks(await buildRunHooks(session, opts));
}

/**
 * The hooks bound to one caller's session: the control plane passes them per request, so concurrent
 * callers of different tenants never share a session.
 * @example await runManifest(session, { manifestPath, sandbox: 'bwrap', hooks: await buildRunHooks(session) });
 */
export async function buildRunHooks(session: Session, opts: RunHookOptions = {}): Promise<ExecutionHooks> {
  const [runner, cost, packs, receipts] = await Promise.all([
    import('../runner/index.js'),
    import('../cost/index.js'),
    import('../policy/packs/index.js'),
    import('../receipts/index.js'),
  ]);
  const costHooks = cost.costHooks(session, opts.prices === undefined ? {} : { prices: opts.prices });
  return {
    plan: costHooks.plan,
    decide: packs.runDecideHook(opts.region === undefined ? {} : { region: opts.region }),
    async finished(record, dir) {
      const actuals = cost.recordActuals(session, record, { executionDir: dir });
      record.cost = { ...record.cost, actualMicros: actuals.actualCostMicros };
      runner.writeRecordFile(dir, record);
      await receipts.writeReceipt(session.ctx, dir, record);
    },
  };
}
