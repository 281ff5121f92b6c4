/**
 * The engine's composition room: operations that span rooms (cost + policy + runner + receipts).
 * Rooms stay independent; this is where they meet.
 * @example
 *   await installRunHooks(session); const plan = await planWithPolicy(session, { manifestPath });
 */
export { installRunHooks, buildRunHooks, evidenceFinisher, recoverExecutions, type RunHookOptions } from './hooks.js';
export { planWithPolicy, type PlanRequest } from './plan.js';
export { executionStatusView, type ExecutionStatusView } from './status.js';
export { whoami, type WhoAmI } from './whoami.js';
export { publishRun, createWorkerPool, executionSession, runWorker, type PublishRunRequest, type PublishRunOptions, type WorkerPoolRequest, type RunWorkerRequest, type WorkerSummary } from './run.js';
export { exportDisclosure } from './disclose.js';
export { publicKeys, executionReceipt, executionDisclosure, type PublicKeyView } from './evidence.js';
