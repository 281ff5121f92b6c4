/**
 * The decision point: evaluate every enabled pack of the caller's tenant against one input. Deny
 * overrides; warns are recorded; anything that goes wrong (a refused signature, a broken pack, an
 * evaluation error, the time budget overrun) fails closed as a deny that says why.
 */
import { performance } from 'node:perf_hooks';
import { type Context, isoNow } from '../../core/context.js';
import type { Store } from '../../store/index.js';
import { packData } from './data.js';
import { compileJob, type EvalJob, evaluateJob } from './eval-core.js';
import { type FiredRule, type PackMessage, setPackCacheMax } from './evaluate.js';
import { buildExplanation, type DecisionExplanation } from './explain-data.js';
import type { PolicyInput } from './input.js';
import { activePolicyPool, type PoolOutcome } from './pool.js';
import { recordDecision } from './record.js';
import { type LoadedPack, loadPacks } from './registry.js';
import type { SignatureStatus } from './signing.js';
import { cacheMaxFrom, countCacheLookups, packCacheKey } from './warm-cache.js';

export type Outcome = 'allow' | 'deny' | 'warn';

/** One reason (or warning) of a decision: which pack and rule said what, and where. */
export type DecisionReason = PackMessage | { pack: string; rule: string; message: string; location: string | null };

export interface DecisionPack {
  id: string;
  version: string;
  digest: string;
  signature: SignatureStatus;
  verdict: 'allow' | 'deny' | 'warn' | 'refused' | 'error';
}

export interface Decision {
  id: string;
  action: string;
  outcome: Outcome;
  allow: boolean;
  tenant: string;
  executionId: string | null;
  reasons: DecisionReason[];
  warnings: DecisionReason[];
  packs: DecisionPack[];
  /** Evaluation time (the PDP latency the time budget applies to), ms. */
  evalMs: number;
  /** Reading, verifying and compiling the packs, ms (not part of the budget). */
  loadMs: number;
  /** True when the deny comes from an error or the time budget rather than a rule. */
  failClosed: boolean;
  explanation: DecisionExplanation;
  createdAt: string;
}

export interface DecideRequest {
  action: string;
  input: PolicyInput;
  /** The execution this decision admits (null for plans). */
  executionId?: string | null;
  /** Explain every pack (rules fired even when allowed); by default only packs that deny or warn. */
  explain?: boolean;
  /** Skip recording (benchmarks of the pure decision). */
  record?: boolean;
  /**
   * Also append it to executions/<id>/decisions.json (default true). The runner's decide hook passes
   * false: the runner writes that file itself, once, from the hook's list (ADR 0035).
   */
  executionFile?: boolean;
}

export interface DecideSession {
  ctx: Context;
  store: Store;
  identity: { subject: string; tenantId: string; tenantName: string };
}

/** Total evaluation time budget: $MAESTRO_PDP_TIMEOUT_MS, else 250 ms. */
export function timeBudgetMs(ctx: Pick<Context, 'env'>): number {
  const v = Number(ctx.env.MAESTRO_PDP_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : 250;
}

/**
 * The hard cut-off of one evaluation, ms: $MAESTRO_PDP_CUTOFF_MS, else the larger of 1 s and four time
 * budgets. The interpreter stops itself there; an evaluation thread that has not answered shortly after
 * is terminated.
 */
export function cutoffMs(ctx: Pick<Context, 'env'>): number {
  const v = Number(ctx.env.MAESTRO_PDP_CUTOFF_MS);
  return Number.isFinite(v) && v > 0 ? v : Math.max(1000, 4 * timeBudgetMs(ctx));
}

function injectedDelayMs(ctx: Pick<Context, 'env'>): number {
  const v = Number(ctx.env.MAESTRO_PDP_DELAY_MS);
  return Number.isFinite(v) && v > 0 ? v : 0;
}

function refusal(lp: LoadedPack): DecisionReason {
  return {
    pack: lp.pack.meta.id,
    rule: 'signature',
    message: `pack ${lp.pack.meta.id} refused: its signature does not verify (${lp.signature.detail}); nothing it says is applied`,
    location: lp.signature.path,
  };
}

/**
 * Decide an action for the session's tenant and record the decision.
 * @example
 *   const d = await decide(session, { action: 'run', input, executionId: 'ex_…' });
 *   if (!d.allow) throw new DeniedError('POLICY_DENIED', formatDenial(d));
 */
export async function decide(session: DecideSession, req: DecideRequest): Promise<Decision> {
  const { ctx } = session;
  const t0 = performance.now();
  const tally: Tally = { reasons: [], warnings: [], packs: [], fired: [], failClosed: false };
  const loaded = await loadPhase(session, tally);
  const readMs = performance.now() - t0;
  const { evalMs, compileMs } = await evalPhase(ctx, loaded, req, tally);
  const loadMs = readMs + compileMs;
  const { reasons, warnings } = tally;
  const outcome: Outcome = reasons.length > 0 ? 'deny' : warnings.length > 0 ? 'warn' : 'allow';
  const decision: Decision = {
    id: newDecisionId(ctx),
    action: req.action,
    outcome,
    allow: outcome !== 'deny',
    tenant: session.identity.tenantName,
    executionId: req.executionId ?? null,
    reasons,
    warnings,
    packs: tally.packs,
    evalMs: round3(evalMs),
    loadMs: round3(loadMs),
    failClosed: tally.failClosed,
    explanation: buildExplanation(req.input, tally.fired),
    createdAt: isoNow(ctx),
  };
  if (req.record !== false) recordDecision(session, decision, req.input, { executionFile: req.executionFile !== false });
  return decision;
}

/** What the phases of one decision accumulate. */
interface Tally {
  reasons: DecisionReason[];
  warnings: DecisionReason[];
  packs: DecisionPack[];
  fired: FiredRule[];
  failClosed: boolean;
}

function deny(tally: Tally, reason: DecisionReason): void {
  tally.reasons.push(reason);
  tally.failClosed = true;
}

function packRef(lp: LoadedPack): Omit<DecisionPack, 'verdict'> {
  return { id: lp.pack.meta.id, version: lp.pack.meta.version, digest: lp.pack.digest, signature: lp.signature.status };
}

/** Read and verify the tenant's enabled packs (untimed); failures become fail-closed reasons. */
async function loadPhase(session: DecideSession, tally: Tally): Promise<LoadedPack[]> {
  try {
    const r = await loadPacks(session.ctx, session.store, session.identity.tenantId, { onlyEnabled: true });
    for (const b of r.broken) deny(tally, { pack: b.id, rule: 'load', message: `pack ${b.id} cannot be loaded: ${b.error}`, location: b.dir });
    return r.packs;
  } catch (err) {
    deny(tally, { pack: '*', rule: 'load', message: `policy packs cannot be loaded: ${(err as Error).message}`, location: null });
    return [];
  }
}

/**
 * Compile (untimed, warm cache) and evaluate every verified pack, on the shared evaluation pool when
 * this process runs one, else in-process; returns the evaluation time in ms (what the budget bounds).
 */
async function evalPhase(ctx: Context, loaded: LoadedPack[], req: DecideRequest, tally: Tally): Promise<{ evalMs: number; compileMs: number }> {
  const budget = timeBudgetMs(ctx);
  const cutoff = cutoffMs(ctx);
  const verified = loaded.filter((lp) => lp.signature.status !== 'invalid');
  const job: EvalJob = {
    packs: verified.map((lp) => ({ meta: lp.pack.meta, digest: lp.pack.digest, modules: lp.pack.modules, key: packCacheKey(lp.pack.digest, lp.signature) })),
    input: req.input,
    data: packData(loaded),
    explain: req.explain ?? false,
    cutoffMs: cutoff,
    delayMs: injectedDelayMs(ctx),
  };
  const result = await runJob(ctx, job);
  if (result.kind !== 'done') {
    for (const lp of loaded) tally.packs.push({ ...packRef(lp), verdict: lp.signature.status === 'invalid' ? 'refused' : 'error' });
    for (const lp of loaded) if (lp.signature.status === 'invalid') deny(tally, refusal(lp));
    deny(tally, { pack: '*', rule: result.kind === 'cut-off' ? 'timeout' : 'evaluate', message: poolFailure(result, budget, cutoff), location: null });
    return { evalMs: result.kind === 'cut-off' ? result.afterMs : 0, compileMs: 0 };
  }
  const byId = new Map(result.result.outcomes.map((o) => [o.id, o]));
  for (const lp of loaded) {
    const o = byId.get(lp.pack.meta.id) ?? { id: lp.pack.meta.id, kind: 'error' as const, message: 'no result came back' };
    if (lp.signature.status === 'invalid') {
      deny(tally, refusal(lp));
      tally.packs.push({ ...packRef(lp), verdict: 'refused' });
    } else if (o.kind === 'ok') {
      tally.reasons.push(...o.verdict.deny);
      tally.warnings.push(...o.verdict.warn);
      tally.fired.push(...o.verdict.fired);
      tally.packs.push({ ...packRef(lp), verdict: o.verdict.deny.length > 0 ? 'deny' : o.verdict.warn.length > 0 ? 'warn' : 'allow' });
    } else {
      const id = lp.pack.meta.id;
      const message =
        o.kind === 'compile' ? `pack ${id} does not compile (fail-closed): ${o.message}` : `pack ${id} failed to evaluate (fail-closed): ${o.message}`;
      deny(tally, { pack: id, rule: o.kind === 'compile' ? 'compile' : 'evaluate', message, location: null });
      tally.packs.push({ ...packRef(lp), verdict: 'error' });
    }
  }
  const evalMs = result.result.evalMs;
  if (evalMs > budget) {
    const message = `policy evaluation took ${evalMs.toFixed(1)} ms, over its ${budget} ms time budget: denied (fail-closed)`;
    deny(tally, { pack: '*', rule: 'timeout', message, location: null });
  }
  return { evalMs, compileMs: result.result.compileMs };
}

/** Run a job on the shared pool, or here (compile untimed, then the timed evaluation). */
async function runJob(ctx: Context, job: EvalJob): Promise<PoolOutcome> {
  const pool = activePolicyPool();
  if (pool) return pool.run(job);
  setPackCacheMax(cacheMaxFrom(ctx.env));
  const compiled = compileJob(job);
  countCacheLookups(compiled.hits, compiled.misses);
  return { kind: 'done', result: evaluateJob(job, compiled) };
}

function poolFailure(o: Exclude<PoolOutcome, { kind: 'done' }>, budget: number, cutoff: number): string {
  if (o.kind === 'cut-off') {
    const what = o.phase === 'compile' ? 'compiling the packs' : 'policy evaluation';
    return `${what} did not finish within its ${o.phase === 'compile' ? 'compile limit' : `${cutoff} ms cut-off (time budget ${budget} ms)`}: the evaluation thread was stopped after ${o.afterMs} ms; denied (fail-closed)`;
  }
  return `policy evaluation failed (fail-closed): ${o.message}`;
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Decision ids sort by time: pd_ + base36 ms + random hex. */
function newDecisionId(ctx: Context): string {
  return `pd_${ctx.clock.now().toString(36).padStart(9, '0')}${ctx.random.bytes(6).toString('hex')}`;
}
