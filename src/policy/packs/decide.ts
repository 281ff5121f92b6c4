/**
 * The decision point: evaluate every enabled pack of the caller's tenant against one input. Deny
 * overrides; warns are recorded; anything that goes wrong (a refused signature, a broken pack, an
 * evaluation error, the time budget overrun) fails closed as a deny that says why.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { isoNow, type Context } from '../../core/context.js';
import type { Store } from '../../store/index.js';
import { packData } from './data.js';
import { compilePack, evaluatePack, type FiredRule, type PackMessage } from './evaluate.js';
import { buildExplanation, type DecisionExplanation } from './explain-data.js';
import type { PolicyInput } from './input.js';
import { recordDecision } from './record.js';
import { loadPacks, type LoadedPack } from './registry.js';
import type { SignatureStatus } from './signing.js';

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
  const loadMs = performance.now() - t0;
  const evalMs = await evalPhase(ctx, loaded, req, tally);
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
  if (req.record !== false) recordDecision(session, decision, req.input);
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

/** Read, verify and compile the tenant's enabled packs (untimed); failures become fail-closed reasons. */
async function loadPhase(session: DecideSession, tally: Tally): Promise<LoadedPack[]> {
  let loaded: LoadedPack[] = [];
  try {
    const r = await loadPacks(session.ctx, session.store, session.identity.tenantId, { onlyEnabled: true });
    loaded = r.packs;
    for (const b of r.broken) deny(tally, { pack: b.id, rule: 'load', message: `pack ${b.id} cannot be loaded: ${b.error}`, location: b.dir });
  } catch (err) {
    deny(tally, { pack: '*', rule: 'load', message: `policy packs cannot be loaded: ${(err as Error).message}`, location: null });
  }
  return loaded.filter((lp) => {
    if (lp.signature.status === 'invalid') return true;
    try {
      compilePack(lp.pack);
      return true;
    } catch (err) {
      deny(tally, { pack: lp.pack.meta.id, rule: 'compile', message: `pack ${lp.pack.meta.id} does not compile (fail-closed): ${(err as Error).message}`, location: null });
      tally.packs.push({ ...packRef(lp), verdict: 'error' });
      return false;
    }
  });
}

/** Evaluate every loaded pack within the time budget; returns the evaluation time in ms. */
async function evalPhase(ctx: Context, loaded: LoadedPack[], req: DecideRequest, tally: Tally): Promise<number> {
  const budget = timeBudgetMs(ctx);
  const start = performance.now();
  const deadline = start + budget;
  const delay = injectedDelayMs(ctx);
  if (delay > 0) await sleep(delay);
  const data = packData(loaded);
  for (const lp of loaded) {
    if (lp.signature.status === 'invalid') {
      deny(tally, refusal(lp));
      tally.packs.push({ ...packRef(lp), verdict: 'refused' });
      continue;
    }
    try {
      const v = evaluatePack(lp.pack, req.input, data, { timeoutMs: Math.max(1, deadline - performance.now()), explain: req.explain ?? false });
      tally.reasons.push(...v.deny);
      tally.warnings.push(...v.warn);
      tally.fired.push(...v.fired);
      tally.packs.push({ ...packRef(lp), verdict: v.deny.length > 0 ? 'deny' : v.warn.length > 0 ? 'warn' : 'allow' });
    } catch (err) {
      deny(tally, { pack: lp.pack.meta.id, rule: 'evaluate', message: `pack ${lp.pack.meta.id} failed to evaluate (fail-closed): ${(err as Error).message}`, location: null });
      tally.packs.push({ ...packRef(lp), verdict: 'error' });
    }
  }
  const evalMs = performance.now() - start;
  if (evalMs > budget) {
    const message = `policy evaluation took ${evalMs.toFixed(1)} ms, over its ${budget} ms time budget: denied (fail-closed)`;
    deny(tally, { pack: '*', rule: 'timeout', message, location: null });
  }
  return evalMs;
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Decision ids sort by time: pd_ + base36 ms + random hex. */
function newDecisionId(ctx: Context): string {
  return `pd_${ctx.clock.now().toString(36).padStart(9, '0')}${ctx.random.bytes(6).toString('hex')}`;
}
