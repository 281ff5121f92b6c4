/**
 * The runner room's front door: sandboxed task execution, executions, logs, cancel.
 * @example
 *   const r = await runManifest(session, { manifestPath: 'wf.yaml', sandbox: 'bwrap' });
 *   process.exitCode = r.exitCode;
 */
export { RunnerError } from './errors.js';
export { runManifest, executeExecution, exitCodeFor, loadRecord, registerExecutionHooks, registeredHooks, sealExecution, sealPending, type RunOptions, type RunResult, type TaskEvent, type ExecuteOptions } from './execute.js';
export type { ExecutionHooks, PlanArgs, PlanOutcome, DecideArgs, DecideOutcome, BudgetGate } from './hooks.types.js';
export { publishExecution, quotaDenial, budgetDenial, commandDigest, executionsRoot } from './publish.js';
export { executionStatus, listAllExecutions, streamLogs, cancelExecutions, findExecution, type ExecutionSummary, type LogLine, type CancelResult } from './control.js';
export { recoverOrphans, sameProcessAlive, processStartTime, cleanTempFiles, type RecoveredExecution } from './recovery.js';
export { WorkerPool, type PoolOptions, type PoolSummary, type PoolEvent } from './worker-pool.js';
export { LeaseKeeper, leaseConfig, processKeeper, setProcessKeeper, type LeaseConfig } from './worker-lease.js';
export { ensureLocalWorker, acquirePidfile, releasePidfile, ownsPidfile, readPidfile, workerPidfile, workerLog, type EnsureResult } from './worker-local.js';
export { runSandboxed, findBwrap, requireBwrap, BWRAP_INSTALL_HINT } from './sandbox.js';
export type { SandboxSpec, SandboxIO, TaskOutcome, TaskUsage, WriteRecord, SandboxMode } from './sandbox.types.js';
export { compileSeccomp, buildSeccompProgram } from './seccomp.js';
export { probeIsolation, type IsolationLayer } from './isolation.js';
export { probeCgroups, sweepStaleCgroups } from './cgroup.js';
export { appArmorProfileText, appArmorAvailable } from './apparmor.js';
export { writeRecordFile, readRecordFile, type ExecutionRecord, type TaskRecord } from './record.js';
export { EXECUTION_ID_RE } from './ids.js';
export { withFailureTails, readTail, FAILURE_TAIL_LINES, type TaskFailure } from './failure.js';
