/** Store-backed look-ups the estimator needs: calibrated factors per (uses, class). */
import type { ResourceClass } from '../manifest/manifest.types.js';
import type { Store } from '../store/index.js';
import * as sql from '../store/cost.js';
import { DEFAULT_FACTORS, type ModelFactors } from './estimator.js';

/** Calibrated factors from the store, keyed by (uses, class); undefined when never calibrated. */
export function calibrationLookup(store: Store): (uses: string, cls: ResourceClass) => ModelFactors | undefined {
  const rows = new Map(sql.listCalibration(store.db).map((r) => [`${r.uses}|${r.resourceClass}`, r]));
  return (uses, cls) => {
    const r = rows.get(`${uses}|${cls}`);
    if (!r) return undefined;
    return {
      ...(r.defaultSec ? { defaultSec: r.defaultSec } : {}),
      cpuUtil: r.cpuUtil,
      memUtil: r.memUtil,
      declaredFactor: r.declaredFactor,
      historyCorrection: r.historyCorrection,
      window: r.historyWindow || DEFAULT_FACTORS.window,
    };
  };
}

