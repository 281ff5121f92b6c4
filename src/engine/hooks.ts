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
  const [cost, packs, policyStore] = await Promise.all([import('../cost/index.js'), import('../policy/packs/index.js'), import('../store/policy.js')]);
  const costHooks = cost.costHooks(session, opts.prices === undefined ? {} : { prices: opts.prices });
  const decide = packs.runDecideHook(opts.region === undefined ? {} : { region: opts.region });
  return {
    plan: costHooks.plan,
    async decide(args) {
      const d = await decide(args);
      // Wait mode: a deny from the quota pack alone becomes a wait. The atomic admission enforces the
      // cap by queueing the execution until a slot frees; every other deny (budget included) stands.
      const reasons = (d.decisions as Array<{ reasons?: Array<{ pack?: string }> }>).flatMap((x) => x.reasons ?? []);
      if (!d.allow && args.queue && reasons.length > 0 && reasons.every((r) => r.pack === 'quota')) {
        return { ...d, allow: true, reasons: [], warnings: [...d.warnings, ...d.reasons.map((r) => `waiting for a quota slot: ${r}`)] };
      }
      return d;
    },
    // The daily budget, checked again inside the atomic admission (the pack's verdict can be raced;
    // this cannot). A tenant that disabled the budget pack enforces none.
    budget(s) {
      if (policyStore.tenantPackChoices(s.store.db, s.tenant.id).get('budget')?.enabled === false) return null;
      return { capMicros: s.tenant.dailyBudgetMicros, spentMicros: () => cost.spentTodayMicros(s.store, s.tenant, s.ctx.clock.now()) };
    },
    // Built on the first finish: a published run's hooks are built per request, and most of them
    // never finish here (a pool runs them with its own finisher), so enrolling the keys per publish
    // was file work on the server's event loop for nothing (ADR 0035).
    finished: lazyFinisher(session),
  };
}

/** The evidence finisher, built (keys enrolled) when first called. */
function lazyFinisher(env: { ctx: Session['ctx']; store: Session['store'] }): NonNullable<ExecutionHooks['finished']> {
  let built: Promise<NonNullable<ExecutionHooks['finished']>> | undefined;
  return async (record, dir) => {
    // A failed build (keys unreadable) is tried again on the next finish.
    built ??= evidenceFinisher(env).catch((err: unknown) => {
      built = undefined;
      throw err;
    });
    const finish = await built;
    await finish(record, dir);
  };
}

/**
 * The `finished` step every terminal execution goes through, also when recovery rebuilds it: actual
 * cost (idempotent per execution), set on the record, then the signed receipt over that record. The
 * runner writes execution.json right after, from the same record (once per seal, ADR 0035).
 * Needs only the context and the store, not the caller's identity.
 * @example const finish = await evidenceFinisher({ ctx, store }); await finish(record, dir);
 */
export async function evidenceFinisher(env: { ctx: Session['ctx']; store: Session['store'] }): Promise<NonNullable<ExecutionHooks['finished']>> {
  const [cost, receipts, keys] = await Promise.all([import('../cost/index.js'), import('../receipts/index.js'), import('./keys.js')]);
  // ADR 0030: a process that signs receipts has its public keys on the trusted list first.
  await keys.enrolLocalKeys(env);
  return async (record, dir) => {
    try {
      // plan.json read on libuv's thread pool (a server seals many executions).
      const plan = await cost.readPlanAsync(dir);
      const actuals = cost.recordActuals(env, record, { executionDir: dir, ...(plan ? { plan } : {}) });
      record.cost = { ...record.cost, actualMicros: actuals.actualCostMicros };
    } catch (err) {
      // No plan (a run published without the cost hook): the receipt is still written, without actuals.
      if ((err as { code?: string }).code !== 'PLAN_MISSING') throw err;
    }
    await receipts.writeReceipt(env.ctx, dir, record);
  };
}

/**
 * Recovery for one state home: reclaims executions of dead holders, then rebuilds the evidence of
 * terminal executions whose runner died before writing it (bounded per call). `first`: an execution
 * whose evidence is rebuilt before the bounded sweep, whatever else is pending (the one being exported).
 * @example await recoverExecutions({ ctx, store }, 20, { first: 'ex_…' });
 */
export async function recoverExecutions(
  env: { ctx: Session['ctx']; store: Session['store'] },
  limit = 100,
  opts: { first?: string } = {},
): Promise<{ reclaimed: number; sealed: number }> {
  const runner = await import('../runner/index.js');
  const reclaimed = runner.recoverOrphans(env.store.db, new Date(env.ctx.clock.now()).toISOString(), env.ctx.clock.now()).length;
  return { reclaimed, sealed: await sealUnsealed(env, limit, opts) };
}

/**
 * The sealing half of recovery alone: rebuilds the evidence of terminal executions whose runner died
 * before writing it (bounded per call; `first` before the others, ADR 0041). A worker pool reclaims
 * leases itself just before calling this.
 * @example await sealUnsealed({ ctx, store });
 */
export async function sealUnsealed(env: { ctx: Session['ctx']; store: Session['store'] }, limit = 100, opts: { first?: string } = {}): Promise<number> {
  const [runner, receipts, { existsSync }, { join }] = await Promise.all([
    import('../runner/index.js'),
    import('../receipts/index.js'),
    import('node:fs'),
    import('node:path'),
  ]);
  return runner.sealPending(env, lazyFinisher(env), {
    limit,
    complete: (dir) => existsSync(join(dir, receipts.RECEIPT_FILE)),
    ...(opts.first ? { first: opts.first } : {}),
  });
}
