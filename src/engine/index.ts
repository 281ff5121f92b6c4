/**
 * The engine's composition room: operations that span rooms (cost + policy + runner + receipts).
 * Rooms stay independent; this is where they meet.
 * @example
 *   await installRunHooks(session); const plan = await planWithPolicy(session, { manifestPath });
 */

export { exportDisclosure, verifyDisclosure } from './disclose.js';
export { executionDisclosure, executionReceipt, type PublicKeyView, publicKeys } from './evidence.js';
export { buildRunHooks, evidenceFinisher, installRunHooks, type RunHookOptions, recoverExecutions } from './hooks.js';
export {
  enrolLocalKeys,
  keyOwner,
  listTrustedKeys,
  revokeKey,
  type TrustedKeyView,
  trustedKeysOf,
  trustedKeyViews,
} from './keys.js';
export { type PlanRequest, planWithPolicy } from './plan.js';
export {
  createWorkerPool,
  executionSession,
  type PublishRunOptions,
  type PublishRunRequest,
  publishRun,
  type RunWorkerRequest,
  runWorker,
  startServePool,
  type WorkerPoolRequest,
  type WorkerSummary,
} from './run.js';
export { type ExecutionStatusView, executionStatusView } from './status.js';
export { type WhoAmI, whoami } from './whoami.js';
