/** `maestro cost calibrate`: refit the model from recorded runs and show accuracy before and after. */
import { isoNow } from '../core/context.js';
import { AuthError } from '../core/errors.js';
import { allTaskHistory, saveCalibration } from '../store/cost.js';
import { isPlatformAdmin, requirePermission, type Session } from '../tenancy/index.js';
import { calibrate, type FittedFactors } from './calibration.js';
import { DEFAULT_FACTORS } from './estimator.js';
import { calibrationLookup } from './lookups.js';
import { resolvePrices } from './prices.js';
import type { Accuracy } from './report.js';

export interface CalibrationReport {
  /** Executions and task runs replayed. */
  executions: number;
  taskRuns: number;
  /** Accuracy of the current model replayed over the history. */
  before: Accuracy;
  /** Accuracy of the refitted model over the same history. */
  after: Accuracy;
  factors: FittedFactors[];
  /** False with --dry-run, or when the refit is not better than the current model. */
  applied: boolean;
  reason: string;
}

/**
 * Refit calibration factors from every tenant's history (the platform admin only: the factors are
 * machine-wide); saved only when they do at least as well.
 * @example calibrateCosts(session, {}).after.shareWithin10Pct
 */
export function calibrateCosts(session: Pick<Session, 'ctx' | 'store' | 'identity'>, opts: { prices?: string; dryRun?: boolean } = {}): CalibrationReport {
  requirePermission(session.identity, 'tenant:manage');
  if (!isPlatformAdmin(session.store, session.identity)) {
    throw new AuthError('CALIBRATE_FORBIDDEN', `${session.identity.subject} may not recalibrate: the factors apply to every tenant`, {
      hint: 'ask an admin of the default tenant to run maestro cost calibrate',
    });
  }
  const prices = resolvePrices(session.ctx, opts.prices);
  const rows = allTaskHistory(session.store.db);
  const current = calibrationLookup(session.store);
  const result = calibrate(rows, prices, (u, c) => current(u, c) ?? DEFAULT_FACTORS);
  const notWorse = result.after.withinTolerance >= result.before.withinTolerance;
  const applied = !opts.dryRun && result.factors.length > 0 && notWorse;
  if (applied) {
    const fittedAt = isoNow(session.ctx);
    saveCalibration(
      session.store.db,
      result.factors.map((f) => ({
        uses: f.uses,
        resourceClass: f.resourceClass,
        defaultSec: f.defaultSec ?? null,
        cpuUtil: f.cpuUtil,
        memUtil: f.memUtil,
        declaredFactor: f.declaredFactor,
        historyCorrection: f.historyCorrection,
        historyWindow: f.window,
        samples: f.samples,
        fittedAt,
      })),
    );
  }
  const reason = opts.dryRun
    ? 'dry run: nothing saved'
    : result.factors.length === 0
      ? 'no recorded runs yet: nothing to fit'
      : notWorse
        ? 'saved: plans use the refitted factors from now on'
        : 'kept the current factors: the refit was less accurate on this history';
  return { ...result, applied, reason };
}
