/**
 * The explanation kept with every decision: the rules that fired (value and file:line) and the
 * budget and quota context the input carried.
 */
import type { FiredRule } from './evaluate.js';
import type { PolicyInput } from './input.js';

export interface BudgetContext {
  capUSD: number;
  spentUSD: number;
  estimateUSD: number;
  projectedUSD: number;
  /** Left today after this run (cap − projected; negative when over). */
  remainingUSD: number;
  /** projected / cap × 100, one decimal (null when the cap is 0). */
  projectedPct: number | null;
}

export interface QuotaContext {
  maxConcurrent: number;
  inUse: number;
  active: string[];
}

export interface DecisionExplanation {
  fired: FiredRule[];
  budget: BudgetContext | null;
  quota: QuotaContext | null;
}

const round6 = (n: number): number => Math.round(n * 1e6) / 1e6;

/** Budget context from an input (money rounded to the micro-dollar). */
export function budgetContext(input: Partial<PolicyInput>): BudgetContext | null {
  const b = input.tenant?.budget;
  if (!b) return null;
  const estimate = input.plan?.estimatedCostUSD ?? 0;
  const projected = round6(b.spentTodayUSD + estimate);
  return {
    capUSD: b.dailyMaxUSD,
    spentUSD: round6(b.spentTodayUSD),
    estimateUSD: round6(estimate),
    projectedUSD: projected,
    remainingUSD: round6(b.dailyMaxUSD - projected),
    projectedPct: b.dailyMaxUSD > 0 ? Math.round((projected / b.dailyMaxUSD) * 1000) / 10 : null,
  };
}

/** The explanation of one decision. */
export function buildExplanation(input: Partial<PolicyInput>, fired: FiredRule[]): DecisionExplanation {
  const q = input.tenant?.quota;
  return {
    fired,
    budget: budgetContext(input),
    quota: q ? { maxConcurrent: q.maxConcurrent, inUse: q.inUse, active: [...q.active] } : null,
  };
}
