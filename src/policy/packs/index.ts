/**
 * The policy packs room: the shipped packs' catalog (digests, signatures, docs), each tenant's
 * enabled packs, and the decision point that evaluates them for plan, run and cancel.
 * @example
 *   const input = policyInputFor(session, { action: 'run', manifest, estimateMicros: plan.estimatedCostMicros, sandbox: 'bwrap' });
 *   const decision = await decide(session, { action: 'run', input, executionId });
 *   if (!decision.allow) throw deniedError(decision); // exit 3
 */

export { type PackAnnotations, type PackExample, parseAnnotations } from './annotations.js';
export {
  annotationsOf,
  findPackDir,
  listPackDirs,
  localRoot,
  type Pack,
  type PackMeta,
  type PackOrigin,
  packDigest,
  readPack,
  shippedRoot,
} from './catalog.js';
export { ACTION_PERMISSIONS, packData, rbacData } from './data.js';
export {
  cutoffMs,
  type DecideRequest,
  type DecideSession,
  type Decision,
  type DecisionPack,
  type DecisionReason,
  decide,
  type Outcome,
  timeBudgetMs,
} from './decide.js';
export { type DocsResult, generateDocs, renderPackReadme } from './docs.js';
export { PackError, PackNotFoundError, PackUsageError } from './errors.js';
export { clearPackCache, compilePack, evaluatePack, type FiredRule, type PackMessage, type PackVerdict, packCacheInfo } from './evaluate.js';
export { type BudgetContext, budgetContext, buildExplanation, type DecisionExplanation, type QuotaContext } from './explain-data.js';
export { type PlanLike, type PolicyGateOptions, type PolicyGateResult, planPolicy, policyGate, type RunnerDecideArgs, runDecideHook } from './gate.js';
export { buildPolicyInput, type PolicyInput, type PolicyInputParts, type PolicyWorkflow } from './input.js';
export { listPacks, type PackDetail, type PackSummary, setPackEnabled, showPack, signPackOp, verifyPackOp } from './operations.js';
export {
  acquirePolicyPool,
  activePolicyPool,
  EvalPool,
  type PoolOptions,
  type PoolOutcome,
  type PoolStats,
  poolOptionsFrom,
  releasePolicyPool,
} from './pool.js';
export { linkDecisionToExecution } from './record.js';
export { type BrokenPack, type LoadedPack, loadPacks, signOnFirstUse } from './registry.js';
export { decisionsFor, deniedError, formatDenial, type PolicyMetrics, policyMetrics, type StatusPolicy, statusPolicy } from './results.js';
export { policyInputFor, type SessionInputOptions } from './session-input.js';
export {
  PACK_PREDICATE_TYPE,
  packTrustedKeyIds,
  packTrustedKeys,
  type SignatureCheck,
  type SignatureStatus,
  signaturePath,
  signPack,
  verifyPack,
} from './signing.js';
export { LruCache, type PolicyCacheStats, packCacheKey, policyCacheStats } from './warm-cache.js';
