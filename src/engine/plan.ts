/** `maestro plan` and POST /api/plan: the cost plan of a manifest plus the policy packs' verdict on it. */
import type { Session } from '../tenancy/index.js';

export interface PlanRequest {
  /** Path of the manifest file (CLI). */
  manifestPath?: string;
  /** Or the manifest's YAML text (control plane). */
  manifestSource?: string;
  /** File name used in messages when the source is given. */
  manifestName?: string;
  /** The path shown as the plan's manifestPath when the source is given (the client's path). */
  manifestDisplayPath?: string;
  prices?: string;
  explain?: boolean;
  region?: string;
  sandbox?: string;
}

/**
 * Estimate a manifest and decide it with the tenant's packs (recorded as a `plan` decision).
 * The result is the cost plan's object with a `policy` key; `allow` false means exit 3.
 * @example const r = await planWithPolicy(session, { manifestPath: 'wf.yaml', explain: true });
 */
export async function planWithPolicy(session: Session, req: PlanRequest) {
  const [cost, packs, manifest] = await Promise.all([import('../cost/index.js'), import('../policy/packs/index.js'), import('../manifest/index.js')]);
  const prices = req.prices === undefined ? {} : { prices: req.prices };
  const plan =
    req.manifestSource !== undefined
      ? cost.planExecution(session, await loadFromSource(manifest, req.manifestSource, req.manifestName ?? 'manifest.yaml', req.manifestDisplayPath), prices)
      : await cost.planManifest(session, req.manifestPath!, prices);
  // The packs judge the figure admission will use: the point estimate, or the interval's top for a
  // tenant with strict budgets (`tenants set --cost-estimate high`).
  const admit = cost.admissionEstimate(session.store.db, session.tenant.id, plan);
  const gate = await packs.planPolicy(
    session,
    { ...plan, estimatedCostMicros: admit.micros },
    {
      explain: req.explain ?? false,
      ...(req.region ? { region: req.region } : {}),
      ...(req.sandbox ? { sandbox: req.sandbox } : {}),
    },
  );
  return { ...plan, policy: gate.decision, allow: gate.allow };
}

async function loadFromSource(manifest: typeof import('../manifest/index.js'), source: string, name: string, path?: string) {
  const r = await manifest.validateManifestSource(source, { file: name, ...(path ? { path } : {}) });
  if (!r.valid || !r.manifest) {
    throw new manifest.ManifestError(name, r.diagnostics);
  }
  return r.manifest;
}
