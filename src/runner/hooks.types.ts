/** The seams other rooms plug into the execution pipeline (cost governor, policy packs, receipts). */
import type { LoadedManifest } from '../manifest/manifest.types.js';
import type { Session } from '../tenancy/index.js';
import type { ExecutionRecord } from './record.js';
import type { SandboxMode } from './sandbox.types.js';

export interface PlanArgs {
  session: Session;
  loaded: LoadedManifest;
  executionId: string;
  sandbox: SandboxMode;
}

export interface PlanOutcome {
  estimatedCostMicros: number;
  plan: unknown;
}

export interface DecideArgs extends PlanArgs {
  estimatedCostMicros: number | null;
  plan: unknown;
  /** Wait mode (`run --queue`): the concurrency cap is enforced by waiting, not by a denial. */
  queue?: boolean;
}

export interface DecideOutcome {
  allow: boolean;
  reasons: string[];
  warnings: string[];
  decisions: unknown;
}

/** The tenant's daily budget as the atomic admission checks it (ADR 0014). */
export interface BudgetGate {
  capMicros: number;
  /** Spent today + estimates of the tenant's queued and running executions; read inside admission. */
  spentMicros(): number;
}

/**
 * Hooks, all optional: `plan` (before admission; its plan is written to plan.json and the estimate
 * stored), `decide` (before admission; deny → status denied, exit 3; written to decisions.json),
 * `budget` (the daily budget the atomic admission enforces; null when the tenant does not enforce one),
 * `finished` (after the end: cost actuals, signed receipt; must be idempotent: recovery may run it
 * again to rebuild the evidence of an execution whose runner died).
 */
export interface ExecutionHooks {
  plan?(args: PlanArgs): Promise<PlanOutcome>;
  decide?(args: DecideArgs): Promise<DecideOutcome>;
  budget?(session: Session): BudgetGate | null;
  finished?(record: ExecutionRecord, executionDir: string): Promise<void>;
}
