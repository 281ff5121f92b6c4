/**
 * The runner room's front door: sandboxed task execution, executions, logs, cancel.
 * @example
 *   const r = await runManifest(session, { manifestPath: 'wf.yaml', sandbox: 'bwrap' });
 *   process.exitCode = r.exitCode;
 */

export { processStartTime, sameProcessAlive } from '../core/proc.js';
export { appArmorAvailable, appArmorProfileText } from './apparmor.js';
export { probeCgroups, sweepStaleCgroups } from './cgroup.js';
export {
  type CancelResult,
  cancelExecutions,
  type ExecutionSummary,
  executionStatus,
  findExecution,
  type LogLine,
  listAllExecutions,
  streamLogs,
} from './control.js';
export { RunnerError } from './errors.js';
export { DEFAULT_EVIDENCE_CAP_BYTES, EVIDENCE_TOP_FILES, materialiseEvidence, renderTaskLog } from './evidence-files.js';
export {
  type ExecuteOptions,
  executeExecution,
  exitCodeFor,
  loadRecord,
  type RunOptions,
  type RunResult,
  registerExecutionHooks,
  registeredHooks,
  runManifest,
  sealExecution,
  sealPending,
  type TaskEvent,
} from './execute.js';
export { FAILURE_TAIL_LINES, readTail, readTailFromDb, type TaskFailure, withFailureTails } from './failure.js';
export type { BudgetGate, DecideArgs, DecideOutcome, ExecutionHooks, PlanArgs, PlanOutcome } from './hooks.types.js';
export { EXECUTION_ID_RE } from './ids.js';
export { type IsolationLayer, probeIsolation } from './isolation.js';
export { budgetDenial, commandDigest, executionsRoot, publishExecution, quotaDenial } from './publish.js';
export { type ExecutionRecord, readRecordFile, type TaskRecord, writeRecordFile } from './record.js';
export { cleanTempFiles, type RecoveredExecution, recoverOrphans, recoverOrphansRecently } from './recovery.js';
export { BWRAP_INSTALL_HINT, findBwrap, requireBwrap, runSandboxed } from './sandbox.js';
export type { SandboxIO, SandboxMode, SandboxSpec, TaskOutcome, TaskUsage, WriteRecord } from './sandbox.types.js';
export { buildSeccompProgram, compileSeccomp } from './seccomp.js';
export { type LeaseConfig, LeaseKeeper, leaseConfig, processKeeper, setProcessKeeper } from './worker-lease.js';
export { acquirePidfile, type EnsureResult, ensureLocalWorker, ownsPidfile, readPidfile, releasePidfile, workerLog, workerPidfile } from './worker-local.js';
export { emptyPoolSummary, type PoolEvent, type PoolOptions, type PoolSummary, WorkerPool } from './worker-pool.js';
export { type PoolProcess, type PoolProcessOptions, startPoolProcess } from './worker-process.js';
