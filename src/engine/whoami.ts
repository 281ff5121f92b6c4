/** `maestro whoami` and GET /api/whoami: identity (tenancy) plus quota and budget use (store, cost). */
import { spentTodayMicros } from '../cost/index.js';
import { slotHolderIds } from '../store/queue.js';
import { microsToUsd, requirePermission, type Session } from '../tenancy/index.js';

/** Spec §15.2, exactly these keys. */
export interface WhoAmI {
  subject: string;
  tenant: string;
  roles: string[];
  quotas: { maxConcurrent: number; inUse: number };
  budget: { dailyMaxUSD: number; spentUSD: number };
}

/**
 * Who the caller is, and how much of the tenant's quota and daily budget is in use. spentUSD is the
 * budget pack's figure: today's actuals plus the estimates of executions still holding a slot.
 * @example const w = whoami(session); w.quotas.inUse
 */
export function whoami(session: Session): WhoAmI {
  requirePermission(session.identity, 'read');
  // Waiting executions (wait mode) hold no slot of the quota.
  const inUse = slotHolderIds(session.store.db, session.tenant.id).length;
  const spent = spentTodayMicros(session.store, session.tenant, session.ctx.clock.now());
  return {
    subject: session.identity.subject,
    tenant: session.tenant.name,
    roles: session.identity.roles,
    quotas: { maxConcurrent: session.tenant.maxConcurrent, inUse },
    budget: { dailyMaxUSD: microsToUsd(session.tenant.dailyBudgetMicros), spentUSD: Math.round(microsToUsd(spent) * 100) / 100 },
  };
}
