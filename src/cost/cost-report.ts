/** `maestro cost report`: estimate-vs-actual accuracy over a period, for one tenant. */
import { AuthError, UsageError } from '../core/errors.js';
import { executionSources, listActuals, type TaskHistoryRow, taskRunsSince } from '../store/cost.js';
import { getTenant, isPlatformAdmin, requirePermission, type Session } from '../tenancy/index.js';
import { loadBand } from './host.js';
import { type Accuracy, accuracy, alertLine, type DriftSample, type Offender, parseSince, worstOffenders } from './report.js';
import { type EstimateSourceSummary, firstRunOf, summariseSources } from './wording.js';

export interface CostReportOptions {
  /** A duration (7d, 36h, 2w, 90m) or an ISO date; default 7d. */
  since?: string;
  /** Tenant name or id; default the caller's. Another tenant needs the platform admin. */
  tenant?: string;
  /** How many worst offenders to list (default 5). */
  worst?: number;
}

export interface CostReport extends Accuracy {
  tenant: string;
  since: string;
  until: string;
  /** The worst executions, each with what its estimate rested on (a first run's miss is a guess that missed). */
  worstOffenders: Array<Offender & { estimateSource: EstimateSourceSummary | null; firstRun: boolean }>;
  /** The alert line when under 95% within ±10%, else null. */
  alert: string | null;
  /** Task-level accuracy by what the estimate rested on (ADR 0026). */
  bySource: Record<'history' | 'priors' | 'declared' | 'default', Accuracy>;
  /** Task-level accuracy by the host load the task ran under (run-queue stretch: quiet ≤ 1.1 < busy ≤ 2 < overloaded). */
  byLoadBand: Record<'quiet' | 'busy' | 'overloaded' | 'unknown', Accuracy>;
  /** Tasks whose actual fell inside their estimate's interval, of those with a recorded interval. */
  intervalCoverage: { tasks: number; inside: number; share: number };
}

/** Task runs as drift samples (one per task), for the by-source and by-load splits. */
function taskSamples(rows: readonly TaskHistoryRow[]): DriftSample[] {
  return rows.map((r) => ({
    executionId: `${r.executionId}/${r.taskId}`,
    workflow: r.taskId,
    tenantId: r.tenantId,
    estimatedMicros: r.estimatedMicros,
    actualMicros: r.actualMicros,
    finishedAt: r.finishedAt,
  }));
}

/**
 * Split task runs by estimate source and by load band, with interval coverage.
 * @example splitAccuracy(rows).bySource.history.shareWithin10Pct
 */
export function splitAccuracy(rows: readonly TaskHistoryRow[]): Pick<CostReport, 'bySource' | 'byLoadBand' | 'intervalCoverage'> {
  const sources = ['history', 'priors', 'declared', 'default'] as const;
  const bands = ['quiet', 'busy', 'overloaded', 'unknown'] as const;
  const bySource = Object.fromEntries(sources.map((k) => [k, accuracy(taskSamples(rows.filter((r) => r.estimateSource === k)))])) as CostReport['bySource'];
  const byLoadBand = Object.fromEntries(
    bands.map((k) => [k, accuracy(taskSamples(rows.filter((r) => loadBand(r.hostContention ?? null) === k)))]),
  ) as CostReport['byLoadBand'];
  const withInterval = rows.filter(
    (r) =>
      r.estimatedLowMicros !== null &&
      r.estimatedLowMicros !== undefined &&
      r.estimatedHighMicros !== null &&
      r.estimatedHighMicros !== undefined &&
      r.actualMicros > 0,
  );
  const inside = withInterval.filter((r) => r.actualMicros >= r.estimatedLowMicros! && r.actualMicros <= r.estimatedHighMicros!).length;
  return {
    bySource,
    byLoadBand,
    intervalCoverage: { tasks: withInterval.length, inside, share: withInterval.length ? Math.round((inside / withInterval.length) * 10_000) / 10_000 : 0 },
  };
}

/**
 * Accuracy of estimates against actuals for a tenant since a point in time (permission 'read').
 * @example costReport(session, { since: '7d' }).shareWithin10Pct // 0.97
 */
export function costReport(session: Pick<Session, 'ctx' | 'store' | 'identity'>, opts: CostReportOptions = {}): CostReport {
  requirePermission(session.identity, 'read');
  const now = session.ctx.clock.now();
  const sinceText = opts.since ?? '7d';
  const since = parseSince(sinceText, now);
  if (since === null) {
    throw new UsageError('BAD_SINCE', `--since "${sinceText}" is neither a duration nor a date`, { hint: 'use e.g. 7d, 36h, 90m, 2w or 2026-01-31' });
  }
  const tenant = resolveTenant(session, opts.tenant);
  const rows = listActuals(session.store.db, new Date(since).toISOString(), tenant.id);
  const samples = rows.map((r) => ({
    executionId: r.executionId,
    workflow: r.workflowName,
    tenantId: r.tenantId,
    estimatedMicros: r.estimatedMicros,
    actualMicros: r.actualMicros,
    finishedAt: r.finishedAt,
  }));
  const acc = accuracy(samples);
  return {
    tenant: tenant.name,
    since: new Date(since).toISOString(),
    until: new Date(now).toISOString(),
    ...acc,
    worstOffenders: worstOffenders(samples, opts.worst ?? 5).map((o) => {
      const sources = executionSources(session.store.db, o.executionId);
      return { ...o, estimateSource: summariseSources(sources), firstRun: firstRunOf(sources) };
    }),
    alert: alertLine(acc),
    ...splitAccuracy(taskRunsSince(session.store.db, tenant.id, new Date(since).toISOString())),
  };
}

function resolveTenant(session: Pick<Session, 'store' | 'identity'>, wanted?: string): { id: string; name: string } {
  const own = { id: session.identity.tenantId, name: session.identity.tenantName };
  if (wanted === undefined || wanted === own.name || wanted === own.id) return own;
  const t = getTenant(session.store, wanted);
  if (!isPlatformAdmin(session.store, session.identity)) {
    throw new AuthError('TENANT_FORBIDDEN', `${session.identity.subject} may not read the costs of tenant "${t.name}"`, {
      hint: 'only an admin of the default tenant reports on other tenants; omit --tenant for your own',
    });
  }
  return { id: t.id, name: t.name };
}
