/**
 * The cost governor's front door: plan (estimate before the run), record actuals (after it), the
 * live budget figure, the accuracy report and calibration. Money is integer micro-dollars inside;
 * USD numbers (micros / 1e6) only in the returned views.
 * @example
 *   const plan = planExecution(session, loaded);           // before admission
 *   const actuals = recordActuals(session, record, { plan }); // when the execution ends
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedManifest } from '../manifest/manifest.types.js';
import * as sql from '../store/cost.js';
import type { Store } from '../store/index.js';
import { findTenant, requirePermission, type Session, type Tenant } from '../tenancy/index.js';
import { type Actuals, computeActuals, type ExecutionRecordLike } from './actuals.js';
import { tenantDay } from './day-window.js';
import { CostError } from './errors.js';
import { commandShape } from './estimator.js';
import { conditionsBetween, type HostConditions, hostSampler } from './host.js';
import { calibrationLookup, historyChanged, loadLookup, priorsLookup, sampleOf } from './lookups.js';
import { driftPct, microsToUsd } from './money.js';
import { buildPlan, type Plan } from './plan.js';
import { type ResolvedPrices, resolvePrices } from './prices.js';
import { describeDrift, type EstimateSourceSummary, firstRunOf, summariseSources } from './wording.js';

export { type EstimateBasis, estimateBasis, setEstimateBasis } from '../store/cost.js';
export type { Actuals, ExecutionRecordLike } from './actuals.js';
export { type CalibrationReport, calibrateCosts } from './calibrate.js';
export { type CostReport, type CostReportOptions, costReport } from './cost-report.js';
export { tenantDay } from './day-window.js';
export { CostError, PriceTableError } from './errors.js';
export type { EstimateInterval, GuessSource, TaskEstimate, TimeGuess } from './estimator.js';
export { commandShape } from './estimator.js';
export { currentConditions, type HostConditions, hostSampler, loadBand, probeInstructionCounters } from './host.js';
export { calibrationLookup } from './lookups.js';
export { driftPct, microsToUsd, usdToMicros } from './money.js';
export type { Plan } from './plan.js';
export { type PriceEntry, type PriceTable, type ResolvedPrices, resolvePrices } from './prices.js';
export { describeDrift, type EstimateSourceSummary, summariseSources } from './wording.js';

export interface PlanOptions {
  /** A price file overlaid on the built-in and state-home tables (`--prices`). */
  prices?: string;
}

/**
 * Estimate a loaded manifest for the session's tenant (permission 'plan'). Tasks come out in
 * topological order, each with its resources, estimate and basis (prices, time guess and source).
 * @example
 *   const plan = planExecution(session, await loadManifest('wf.yaml', ctx)); plan.estimatedCostUSD // 0.0042
 */
export function planExecution(session: Pick<Session, 'ctx' | 'store' | 'identity'>, loaded: LoadedManifest, opts: PlanOptions = {}): Plan {
  requirePermission(session.identity, 'plan');
  const prices = resolvePrices(session.ctx, opts.prices);
  return planWith(session.store, session.identity.tenantId, loaded, prices);
}

/** Plan with an already resolved table (no permission check): the runner and the bench use it. */
export function planWith(store: Store, tenantId: string, loaded: LoadedManifest, prices: ResolvedPrices): Plan {
  const calibration = calibrationLookup(store);
  return buildPlan(loaded, prices, {
    history: (digest, limit) => sql.taskHistory(store.db, tenantId, digest, limit).map(sampleOf),
    factors: calibration,
    priors: priorsLookup(store, tenantId),
    load: loadLookup(store),
  });
}

/** The estimate a tenant's budget admits a plan with, and on which basis. */
export interface AdmissionEstimate {
  /** Micro-dollars to admit with: the point estimate, or the interval's upper end for a strict tenant. */
  micros: number;
  basis: sql.EstimateBasis;
  pointMicros: number;
  highMicros: number;
}

/**
 * The estimate to admit a plan with for a tenant (ADR 0026): the point estimate by default; the
 * interval's upper end when the tenant chose `--cost-estimate high` (strict budgets). Reads one row;
 * safe inside the caller's admission transaction.
 * @example admissionEstimate(store.db, tenantId, plan).micros
 */
export function admissionEstimate(db: Store['db'], tenantId: string, plan: Pick<Plan, 'estimatedCostMicros' | 'highCostMicros'>): AdmissionEstimate {
  const basis = sql.estimateBasis(db, tenantId);
  return {
    micros: basis === 'high' ? Math.max(plan.highCostMicros, plan.estimatedCostMicros) : plan.estimatedCostMicros,
    basis,
    pointMicros: plan.estimatedCostMicros,
    highMicros: plan.highCostMicros,
  };
}

export interface RecordOptions {
  /** The plan used at admission; else read from <executionDir>/plan.json. */
  plan?: Plan;
  executionDir?: string;
  /** Tenant of the execution; else the executions row's, else the session's. */
  tenantId?: string;
  /** Host conditions per task id, when the caller measured them; else from the process sampler. */
  conditions?: Record<string, HostConditions | null>;
  /** Each task's command (id → run), when the plan predates command shapes. */
  commands?: Record<string, string>;
}

export interface RecordedActuals extends Actuals {
  /** False when this execution's actuals had already been recorded (nothing changed). */
  recorded: boolean;
  ledgerDay: string;
}

/**
 * Price a finished execution's measured usage with its plan's prices; store it with the execution,
 * its tasks' history and the tenant's spend ledger for the (tenant-local) day. Idempotent.
 * @example
 *   const a = recordActuals(session, record, { executionDir }); a.actualCostMicros
 */
export function recordActuals(
  session: Pick<Session, 'ctx' | 'store'> & { identity?: { tenantId: string } },
  record: ExecutionRecordLike,
  opts: RecordOptions = {},
): RecordedActuals {
  const { store, ctx } = session;
  const dir = opts.executionDir ?? join(ctx.home, 'executions', record.id);
  const plan = opts.plan ?? readPlan(dir);
  if (!plan) {
    throw new CostError('PLAN_MISSING', `execution ${record.id} has no cost plan (looked for ${join(dir, 'plan.json')})`, {
      hint: 'every run records its plan at admission; re-run the workflow',
    });
  }
  const row = sql.executionCostColumns(store.db, record.id);
  const tenantId = opts.tenantId ?? record.tenantId ?? (row ? tenantOfExecution(store, record.id) : undefined) ?? session.identity?.tenantId;
  if (!tenantId) throw new CostError('TENANT_UNKNOWN', `cannot tell which tenant execution ${record.id} belongs to`);
  const tenant = findTenant(store, tenantId);
  const finishedAt = record.finishedAt ?? new Date(ctx.clock.now()).toISOString();
  const actuals = computeActuals(plan, record);
  const ledgerDay = tenantDay(Date.parse(finishedAt), tenant?.dayTimezone ?? 'UTC');
  const planned = new Map(plan.tasks.map((t) => [t.id, t]));
  const times = new Map(record.tasks.map((t) => [t.id, t]));
  const tasks = actuals.tasks.flatMap((t) => {
    const p = planned.get(t.id);
    if (!p || !t.usage) return [];
    const host = taskConditions(times.get(t.id), t.usage.wallSec, finishedAt, opts.conditions?.[t.id]);
    return [
      {
        executionId: record.id,
        taskId: t.id,
        tenantId,
        taskDigest: p.digest,
        uses: p.uses,
        resourceClass: p.resourceClass,
        cpu: p.resources.cpu,
        memoryMB: p.resources.memoryMB,
        expectedSec: p.resources.expectedSec ?? null,
        status: t.status,
        ...t.usage,
        estimateSource: p.basis.guess.source,
        estimatedMicros: p.estimatedCostMicros,
        actualMicros: t.actualCostMicros,
        finishedAt,
        hostLoad1: host?.load1 ?? null,
        hostStealPct: host?.stealPct ?? null,
        hostNcpu: host?.ncpu ?? null,
        hostRunnable: host?.runnable ?? null,
        hostContention: host?.contention ?? null,
        commandShape: p.basis.guess ? shapeOf(plan, p.id, opts.commands) : null,
        estimatedLowMicros: p.lowCostMicros ?? null,
        estimatedHighMicros: p.highCostMicros ?? null,
      },
    ];
  });
  const recorded = sql.insertActuals(
    store.db,
    {
      executionId: record.id,
      tenantId,
      workflowName: plan.workflow,
      status: record.status,
      estimatedMicros: plan.estimatedCostMicros,
      actualMicros: actuals.actualCostMicros,
      pricesDigest: plan.prices.digest,
      finishedAt,
      ledgerDay,
    },
    tasks,
    new Date(ctx.clock.now()).toISOString(),
  );
  if (recorded) historyChanged(store);
  return { ...actuals, recorded, ledgerDay };
}

// The host conditions over a task's run: given, else from the sampler between its start and end
// (the end less the wall time when the record has no start); null when unknown.
function taskConditions(
  t: { startedAt?: string | null; finishedAt?: string | null } | undefined,
  wallSec: number,
  execFinished: string,
  given?: HostConditions | null,
): HostConditions | null {
  if (given !== undefined) return given;
  const end = Date.parse(t?.finishedAt ?? execFinished);
  if (!Number.isFinite(end)) return null;
  const start = t?.startedAt ? Date.parse(t.startedAt) : end - wallSec * 1000;
  return conditionsBetween(Number.isFinite(start) ? start : end - wallSec * 1000, end);
}

function shapeOf(plan: Plan, taskId: string, commands?: Record<string, string>): string | null {
  const run = commands?.[taskId];
  if (run !== undefined) return commandShape(run);
  return plan.tasks.find((x) => x.id === taskId)?.commandShape ?? null;
}

function tenantOfExecution(store: Store, id: string): string | undefined {
  const r = store.db.prepare('select tenant_id as t from executions where id = ?').get(id) as { t: string } | undefined;
  return r?.t;
}

const planOf = (text: string): Plan => {
  const data = JSON.parse(text) as Plan | { plan: Plan };
  return 'tasks' in data ? data : data.plan;
};

/** Read a plan written at admission: either the Plan itself or `{plan: Plan}`. */
export function readPlan(executionDir: string): Plan | undefined {
  const path = join(executionDir, 'plan.json');
  if (!existsSync(path)) return undefined;
  return planOf(readFileSync(path, 'utf8'));
}

/** readPlan on libuv's thread pool (undefined when there is no plan.json). */
export async function readPlanAsync(executionDir: string): Promise<Plan | undefined> {
  let text: string;
  try {
    text = await readFile(join(executionDir, 'plan.json'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return planOf(text);
}

/** The cost block of `maestro status --json`. */
export interface CostSummary {
  estimatedUSD: number | null;
  actualUSD: number | null;
  /** (actual − estimate) / actual × 100, 2 decimals; null until both are known. */
  driftPct: number | null;
  /** What the estimate rested on: history, priors, declared, default, or mixed (null: unknown). */
  estimateSource?: EstimateSourceSummary | null;
  /** True when no task had history: the estimate was a guess. */
  firstRun?: boolean;
  /** The drift in words ("first run (no history; a guess): actual 2.0% below the estimate …"); null until both are known. */
  drift?: string | null;
}

/**
 * Estimate, actual and drift of one execution (null when the execution is unknown).
 * @example costSummary(store, 'ex_01j…') // { estimatedUSD: 0.0021, actualUSD: 0.002, driftPct: -5 }
 */
export function costSummary(store: Store, executionId: string): CostSummary | null {
  const a = sql.getActual(store.db, executionId);
  const e = sql.executionCostColumns(store.db, executionId);
  if (!a && !e) return null;
  const est = a?.estimatedMicros ?? e?.estimated ?? null;
  const act = a?.actualMicros ?? e?.actual ?? null;
  const sources = sql.executionSources(store.db, executionId);
  const source = summariseSources(sources);
  const firstRun = firstRunOf(sources);
  return {
    estimatedUSD: est === null ? null : microsToUsd(est),
    actualUSD: act === null ? null : microsToUsd(act),
    driftPct: est === null || act === null ? null : driftPct(est, act),
    estimateSource: source,
    firstRun,
    drift: est === null || act === null ? null : describeDrift(est, act, source, firstRun),
  };
}

/**
 * Spent today for a tenant, in micro-dollars: the actuals booked to today's ledger (tenant-local
 * day) plus the estimates of its queued and running executions, plus any finished execution whose
 * actuals were not recorded (its actual or estimate), so parallel runs cannot overshoot the cap.
 * @example spentTodayMicros(store, tenant, ctx.clock.now()) // 1234567
 */
export function spentTodayMicros(store: Store, tenant: Pick<Tenant, 'id' | 'dayTimezone'>, nowMs: number): number {
  const tz = tenant.dayTimezone || 'UTC';
  const today = tenantDay(nowMs, tz);
  const booked = sql.ledgerSpent(store.db, tenant.id, today);
  const live = sql.liveEstimates(store.db, tenant.id);
  const missed = sql
    .unrecordedFinished(store.db, tenant.id, new Date(nowMs - 2 * 86_400_000).toISOString())
    .filter((r) => tenantDay(Date.parse(r.finishedAt), tz) === today)
    .reduce((s, r) => s + r.micros, 0);
  return booked + live + missed;
}

/**
 * Load a manifest file and plan it: what `maestro plan <manifest>` runs.
 * @example const plan = await planManifest(session, 'wf.yaml', { prices: 'my-prices.json' });
 */
export async function planManifest(session: Pick<Session, 'ctx' | 'store' | 'identity'>, path: string, opts: PlanOptions = {}): Promise<Plan> {
  requirePermission(session.identity, 'plan');
  const { loadManifest } = await import('../manifest/index.js');
  return planExecution(session, await loadManifest(path, session.ctx), opts);
}

/** The tenant's budget context for policy input and `status --explain` (USD at the edge). */
export interface BudgetContext {
  dailyMaxUSD: number;
  spentTodayUSD: number;
  estimateUSD: number;
  /** spent + estimate. */
  projectedUSD: number;
  /** projected / cap × 100 (2 decimals); null when the cap is 0. */
  projectedPct: number | null;
  remainingUSD: number;
  day: string;
  dayTimezone: string;
}

/**
 * Budget figures for a tenant at an instant, with an optional new estimate on top (MC-POL-703 input).
 * @example budgetContext(store, tenant, now, plan.estimatedCostMicros).projectedPct // 81.5 → warn
 */
export function budgetContext(
  store: Store,
  tenant: Pick<Tenant, 'id' | 'dayTimezone' | 'dailyBudgetMicros'>,
  nowMs: number,
  estimateMicros = 0,
): BudgetContext {
  const spent = spentTodayMicros(store, tenant, nowMs);
  const projected = spent + estimateMicros;
  const cap = tenant.dailyBudgetMicros;
  return {
    dailyMaxUSD: microsToUsd(cap),
    spentTodayUSD: microsToUsd(spent),
    estimateUSD: microsToUsd(estimateMicros),
    projectedUSD: microsToUsd(projected),
    projectedPct: cap > 0 ? Math.round((projected / cap) * 10_000) / 100 : null,
    remainingUSD: microsToUsd(Math.max(0, cap - spent)),
    day: tenantDay(nowMs, tenant.dayTimezone || 'UTC'),
    dayTimezone: tenant.dayTimezone || 'UTC',
  };
}

/**
 * The cost half of the runner's ExecutionHooks (src/runner/hooks.types.ts), ready to spread into them:
 * `plan` before admission (its plan becomes plan.json, its estimate the execution's), `finished` when
 * the execution ends (actuals, task history, spend ledger). Both run under the caller's session.
 * @example
 *   await executeManifest(session, path, { hooks: { ...costHooks(session), decide } });
 */
export function costHooks(session: Pick<Session, 'ctx' | 'store' | 'identity'>, opts: PlanOptions = {}) {
  let sampling = 0;
  return {
    // The estimate returned is the one the budget admits with (point, or high for a strict tenant);
    // plan.json keeps both. Host sampling runs from plan to finished (ADR 0026).
    async plan(args: { loaded: LoadedManifest }): Promise<{ estimatedCostMicros: number; plan: Plan }> {
      const plan = planExecution(session, args.loaded, opts);
      hostSampler.acquire();
      sampling++;
      return { estimatedCostMicros: admissionEstimate(session.store.db, session.identity.tenantId, plan).micros, plan };
    },
    async finished(record: ExecutionRecordLike, executionDir: string): Promise<void> {
      try {
        recordActuals(session, record, { executionDir });
      } finally {
        if (sampling > 0) {
          sampling--;
          hostSampler.release();
        }
      }
    },
  };
}
