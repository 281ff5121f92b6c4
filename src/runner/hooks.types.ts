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
}

export interface DecideOutcome {
  allow: boolean;
  reasons: string[];
  warnings: string[];
  decisions: unknown;
}

/**
 * Hooks, all optional: `plan` (before admission; its plan is written to plan.json and the estimate
 * stored), `decide` (before admission; deny → status denied, exit 3; written to decisions.json),
 * `finished` (after the end: cost actuals, signed receipt).
 */
export interface ExecutionHooks {
  plan?(args: PlanArgs): Promise<PlanOutcome>;
  decide?(args: DecideArgs): Promise<DecideOutcome>;
  finished?(record: ExecutionRecord, executionDir: string): Promise<void>;
}
