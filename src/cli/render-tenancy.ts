/** Human renderers for tenancy results (whoami, login, tenants, members). */

import type { RemoteLoginResult } from '../client/login.js';
import type { WhoAmI } from '../engine/whoami.js';
import type { LoginResult, Member, TenantView } from '../tenancy/index.js';
import { fields, style, table, usd } from './render.js';

export function renderWhoAmI(w: WhoAmI): string {
  const pct = w.budget.dailyMaxUSD > 0 ? ` (${Math.round((w.budget.spentUSD / w.budget.dailyMaxUSD) * 100)}%)` : '';
  return fields([
    ['subject', w.subject],
    ['tenant', w.tenant],
    ['roles', w.roles.join(', ')],
    ['quota', `${w.quotas.inUse}/${w.quotas.maxConcurrent} concurrent executions in use`],
    ['budget', `${usd(w.budget.spentUSD)} of ${usd(w.budget.dailyMaxUSD)} spent today${pct}`],
  ]);
}

export function renderLogin(r: LoginResult): string {
  if (r.token) return r.token;
  return `logged in as ${style.bold(r.subject)} (${r.role}) in tenant ${style.bold(r.tenant)}; token stored in ${r.tokenPath}, expires ${r.expiresAt}`;
}

export function renderTenants(rows: TenantView[]): string {
  return table([
    ['NAME', 'DAILY BUDGET', 'MAX CONCURRENT', 'DAY TZ', 'SANDBOX', 'ID'],
    ...rows.map((t) => [t.name, usd(t.dailyBudgetUSD), String(t.maxConcurrent), t.dayTimezone, t.requireSandbox ? 'required' : 'optional', t.id]),
  ]);
}

export function renderTenant(t: TenantView): string {
  return fields([
    ['name', t.name],
    ['id', t.id],
    ['daily budget', usd(t.dailyBudgetUSD)],
    ['max concurrent', String(t.maxConcurrent)],
    ['day time zone', t.dayTimezone],
    ['sandbox', t.requireSandbox ? 'required' : 'optional'],
    ...(t.costEstimate
      ? [['budget admits with', t.costEstimate === 'high' ? "the estimate's upper end (strict)" : 'the point estimate'] as [string, string]]
      : []),
  ]);
}

export function renderMembers(rows: Member[]): string {
  if (rows.length === 0) return 'no members';
  return table([['SUBJECT', 'ROLE', 'UPDATED'], ...rows.map((m) => [m.subject, m.role, m.updatedAt])]);
}

export function renderMember(m: Member): string {
  return `${m.subject} is now ${style.bold(m.role)} in tenant ${m.tenant}`;
}

/** An enrolment code, shown once, with the command that redeems it. */
export function renderInvitation(i: { code: string; tenant: string; subject: string; role: string; expiresAt: string; login: string }): string {
  return `${fields([
    ['code', i.code],
    ['for', `${i.subject} as ${i.role} in ${i.tenant}`],
    ['expires', i.expiresAt],
    ['redeem with', i.login],
  ])}\n(shown once: only a hash is stored)`;
}

/** `login --remote --code`: where the token for that remote is stored. */
export function renderRemoteLogin(r: RemoteLoginResult): string {
  if (r.token) return r.token;
  return fields([
    ['remote', r.remote],
    ['logged in as', `${r.subject} (${r.role} in ${r.tenant})`],
    ['expires', r.expiresAt],
    ['token', `${r.tokenPath} (0600)`],
  ]);
}
