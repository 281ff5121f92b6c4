/**
 * Wires the rooms into the execution pipeline: the cost governor plans before admission and prices
 * the actuals after the end, the policy packs decide before admission, and the receipt is signed last,
 * over a record that already carries its actual cost.
 */
import type { Session } from '../tenancy/index.js';

export interface RunHookOptions {
  /** Region the run is requested for (default: the workflow's region). */
  region?: string;
  /** Price table overlaid on the built-in and state-home ones. */
  prices?: string;
}

/**
 * Register the engine's hooks for `maestro run` and its detached worker.
 * @example await installRunHooks(session, { region: 'EU' }); await runManifest(session, {...});
 */
export async function installRunHooks(session: Session, opts: RunHookOptions = {}): Promise<void> {
  const [runner, cost, packs, receipts] = await Promise.all([
    import('../runner/index.js'),
    import('../cost/index.js'),
    import('../policy/packs/index.js'),
    import('../receipts/index.js'),
  ]);
  const costHooks = cost.costHooks(session, opts.prices === undefined ? {} : { prices: opts.prices });
  runner.registerExecutionHooks({
    plan: costHooks.plan,
    decide: packs.runDecideHook(opts.region === undefined ? {} : { region: opts.region }),
    async finished(record, dir) {
      const actuals = cost.recordActuals(session, record, { executionDir: dir });
      record.cost = { ...record.cost, actualMicros: actuals.actualCostMicros };
      runner.writeRecordFile(dir, record);
      await receipts.writeReceipt(session.ctx, dir, record);
    },
  });
}
