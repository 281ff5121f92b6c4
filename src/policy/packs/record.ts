/**
 * Recording decisions: the store row (with deny counters and the eval-time histogram) and, for
 * decisions about an execution, its executions/<id>/decisions.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../../core/context.js';
import { writeFileAtomicSync } from '../../core/files.js';
import type { Store } from '../../store/index.js';
import { type DecisionRow, getDecision, insertDecision, linkDecision } from '../../store/policy.js';
import type { Decision } from './decide.js';
import type { PolicyInput } from './input.js';

/** Append a decision to executions/<id>/decisions.json when the execution's folder exists. */
function appendToExecution(ctx: Pick<Context, 'home'>, executionId: string, decision: Decision): void {
  const dir = join(ctx.home, 'executions', executionId);
  if (!existsSync(dir)) return;
  const path = join(dir, 'decisions.json');
  const list = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Decision[]) : [];
  if (list.some((d) => d.id === decision.id)) return;
  list.push({ ...decision, executionId });
  writeFileAtomicSync(path, `${JSON.stringify(list, null, 2)}\n`);
}

/**
 * Store a decision (and its counters); write it next to its execution when there is one (unless
 * `executionFile` is false: the runner writes decisions.json itself at publish).
 */
export function recordDecision(
  session: { ctx: Context; store: Store; identity: { subject: string; tenantId: string } },
  d: Decision,
  input: PolicyInput,
  opts: { executionFile?: boolean } = {},
): void {
  const row: DecisionRow = {
    id: d.id,
    tenantId: session.identity.tenantId,
    executionId: d.executionId,
    subject: session.identity.subject,
    action: d.action,
    outcome: d.outcome,
    reasons: JSON.stringify(d.reasons),
    warnings: JSON.stringify(d.warnings),
    packs: JSON.stringify(d.packs),
    evalMs: d.evalMs,
    estimateMicros: input.plan ? Math.round(input.plan.estimatedCostUSD * 1_000_000) : null,
    explanation: JSON.stringify({ ...d.explanation, loadMs: d.loadMs, failClosed: d.failClosed }),
    createdAt: d.createdAt,
  };
  insertDecision(session.store.db, row, d.outcome === 'deny' ? d.reasons.map((r) => r.pack) : []);
  if (d.executionId && opts.executionFile !== false) appendToExecution(session.ctx, d.executionId, d);
}

/** Turn a stored row back into a Decision. */
export function rowToDecision(row: DecisionRow, tenantName: string): Decision {
  const extra = row.explanation ? (JSON.parse(row.explanation) as Decision['explanation'] & { loadMs?: number; failClosed?: boolean }) : undefined;
  return {
    id: row.id,
    action: row.action,
    outcome: row.outcome,
    allow: row.outcome !== 'deny',
    tenant: tenantName,
    executionId: row.executionId,
    reasons: JSON.parse(row.reasons) as Decision['reasons'],
    warnings: JSON.parse(row.warnings) as Decision['warnings'],
    packs: JSON.parse(row.packs) as Decision['packs'],
    evalMs: row.evalMs,
    loadMs: extra?.loadMs ?? 0,
    failClosed: extra?.failClosed ?? false,
    explanation: { fired: extra?.fired ?? [], budget: extra?.budget ?? null, quota: extra?.quota ?? null },
    createdAt: row.createdAt,
  };
}

/**
 * Link a plan-time decision to the execution it admitted (run recorded the plan before the id existed).
 * @example linkDecisionToExecution(session, decision, 'ex_…')
 */
export function linkDecisionToExecution(session: { ctx: Context; store: Store }, decision: Decision, executionId: string): void {
  if (!getDecision(session.store.db, decision.id)) return;
  linkDecision(session.store.db, decision.id, executionId);
  appendToExecution(session.ctx, executionId, { ...decision, executionId });
}
