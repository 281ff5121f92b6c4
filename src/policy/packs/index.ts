/**
 * The policy packs room: the shipped packs' catalog (digests, signatures, docs), each tenant's
 * enabled packs, and the decision point that evaluates them for plan, run and cancel.
 * @example
 *   const input = policyInputFor(session, { action: 'run', manifest, estimateMicros: plan.estimatedCostMicros, sandbox: 'bwrap' });
 *   const decision = await decide(session, { action: 'run', input, executionId });
 *   if (!decision.allow) throw deniedError(decision); // exit 3
 */
export { PackError, PackNotFoundError, PackUsageError } from './errors.js';
export { parseAnnotations, type PackAnnotations, type PackExample } from './annotations.js';
export { annotationsOf, listPackDirs, findPackDir, readPack, packDigest, shippedRoot, localRoot, type Pack, type PackMeta, type PackOrigin } from './catalog.js';
export { signPack, verifyPack, signaturePath, packTrustedKeys, packTrustedKeyIds, PACK_PREDICATE_TYPE, type SignatureCheck, type SignatureStatus } from './signing.js';
export { loadPacks, signOnFirstUse, type LoadedPack, type BrokenPack } from './registry.js';
export { buildPolicyInput, type PolicyInput, type PolicyInputParts, type PolicyWorkflow } from './input.js';
export { policyInputFor, type SessionInputOptions } from './session-input.js';
export { packData, rbacData, ACTION_PERMISSIONS } from './data.js';
export { compilePack, evaluatePack, clearPackCache, packCacheInfo, type PackMessage, type FiredRule, type PackVerdict } from './evaluate.js';
export { policyCacheStats, packCacheKey, LruCache, type PolicyCacheStats } from './warm-cache.js';
export { acquirePolicyPool, releasePolicyPool, activePolicyPool, poolOptionsFrom, EvalPool, type PoolOptions, type PoolStats, type PoolOutcome } from './pool.js';
export { decide, timeBudgetMs, cutoffMs, type Decision, type DecisionReason, type DecisionPack, type DecideRequest, type DecideSession, type Outcome } from './decide.js';
export { budgetContext, buildExplanation, type BudgetContext, type QuotaContext, type DecisionExplanation } from './explain-data.js';
export { linkDecisionToExecution } from './record.js';
export { policyGate, planPolicy, runDecideHook, type PlanLike, type PolicyGateOptions, type PolicyGateResult, type RunnerDecideArgs } from './gate.js';
export { decisionsFor, deniedError, formatDenial, policyMetrics, statusPolicy, type PolicyMetrics, type StatusPolicy } from './results.js';
export { listPacks, showPack, signPackOp, verifyPackOp, setPackEnabled, type PackSummary, type PackDetail } from './operations.js';
export { generateDocs, renderPackReadme, type DocsResult } from './docs.js';
