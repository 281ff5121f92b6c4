// The decision engine against a real state home: every pack's allow/deny/warn, deny overrides,
// recording, enable/disable, and the explanation.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, deniedError, policyMetrics, setPackEnabled } from '../../../src/policy/packs/index.js';
import { getDecision } from '../../../src/store/policy.js';
import type { Session } from '../../../src/tenancy/index.js';
import { inputFor, tempSession } from './helpers.js';

let s: Session;
beforeAll(async () => {
  s = await tempSession();
});
afterAll(() => s.close());

const LOC = (pack: string) => new RegExp(`^policies/${pack}/policy\\.rego:\\d+$`);

describe('decide', () => {
  it('allows a plain run, evaluating all six shipped packs (signed on first use), and records it', async () => {
    const d = await decide(s, { action: 'run', input: inputFor(s) });
    expect(d.outcome).toBe('allow');
    expect(d.allow).toBe(true);
    expect(d.packs.map((p) => p.id).sort()).toEqual(['budget', 'quota', 'rbac', 'residency', 'resource-class', 'sandbox-required']);
    expect(d.packs.every((p) => p.signature === 'valid' && p.verdict === 'allow' && p.digest.startsWith('sha256:'))).toBe(true);
    const row = getDecision(s.store.db, d.id)!;
    expect(row.outcome).toBe('allow');
    expect(JSON.parse(row.packs)).toHaveLength(6);
  });

  it('quota: denies at the cap, naming the cap, the number in use and the holders', async () => {
    const d = await decide(s, {
      action: 'run',
      input: inputFor(s, { tenant: { ...s.tenant, maxConcurrent: 2, dailyBudgetMicros: 100_000_000 }, activeExecutions: ['ex_a', 'ex_b'] }),
    });
    expect(d.outcome).toBe('deny');
    expect(d.reasons).toHaveLength(1);
    expect(d.reasons[0]!.pack).toBe('quota');
    expect(d.reasons[0]!.message).toBe('tenant default at concurrency quota (2/2 running: ex_a, ex_b)');
    expect(d.reasons[0]!.location).toMatch(LOC('quota'));
    expect(d.explanation.quota).toEqual({ maxConcurrent: 2, inUse: 2, active: ['ex_a', 'ex_b'] });
    expect(deniedError(d).exitCode).toBe(3);
  });

  it('budget: warns from 80% of the cap and denies past 100%, with cap, spent, estimate and projected %', async () => {
    const warn = await decide(s, { action: 'run', input: inputFor(s, { spentTodayMicros: 78_000_000, estimateMicros: 3_000_000 }) });
    expect(warn.outcome).toBe('warn');
    expect(warn.allow).toBe(true);
    expect(warn.warnings[0]!.message).toContain('81.0% of its daily budget');
    expect(warn.warnings[0]!.location).toMatch(LOC('budget'));
    const deny = await decide(s, { action: 'run', input: inputFor(s, { spentTodayMicros: 98_500_000, estimateMicros: 2_000_000 }) });
    expect(deny.outcome).toBe('deny');
    expect(deny.reasons[0]!.message).toBe(
      'budget: tenant default would exceed its daily budget: spent $98.50 + estimate $2.00 = $100.50, over the $100.00 cap (100.5%)',
    );
    expect(deny.explanation.budget).toEqual({ capUSD: 100, spentUSD: 98.5, estimateUSD: 2, projectedUSD: 100.5, remainingUSD: -0.5, projectedPct: 100.5 });
  });

  it('residency: denies a region mismatch', async () => {
    const d = await decide(s, { action: 'plan', input: inputFor(s, { requestRegion: 'US' }) });
    expect(d.outcome).toBe('deny');
    expect(d.reasons.map((r) => r.pack)).toEqual(['residency']);
    expect(d.reasons[0]!.message).toBe('residency: workflow etl runs in region EU but the request is for region US');
  });

  it('resource-class, sandbox-required and rbac deny; deny overrides and every reason is kept', async () => {
    const input = inputFor(s, {
      identity: { subject: 'c@x', roles: ['composer'], tenantId: s.identity.tenantId },
      requestResourceClass: 'large',
      sandbox: 'none',
    });
    const d = await decide(s, { action: 'run', input });
    expect(d.reasons.map((r) => r.pack).sort()).toEqual(['rbac', 'resource-class', 'sandbox-required']);
    expect(d.packs.find((p) => p.id === 'budget')!.verdict).toBe('allow');
  });

  it('a disabled pack is not evaluated; re-enabling restores it', async () => {
    const over = () => inputFor(s, { spentTodayMicros: 200_000_000 });
    setPackEnabled(s, 'budget', { enabled: false });
    const d = await decide(s, { action: 'run', input: over() });
    expect(d.outcome).toBe('allow');
    expect(d.packs.map((p) => p.id)).not.toContain('budget');
    setPackEnabled(s, 'budget', { enabled: true });
    expect((await decide(s, { action: 'run', input: over() })).outcome).toBe('deny');
  });

  it('tenant data for a pack: residency allowed regions', async () => {
    setPackEnabled(s, 'residency', { enabled: true, config: JSON.stringify({ allowedRegions: { default: ['US'] } }) });
    const d = await decide(s, { action: 'run', input: inputFor(s) });
    expect(d.reasons.map((r) => r.message)).toEqual(['residency: region EU is not allowed for tenant default (allowed: US)']);
    setPackEnabled(s, 'residency', { enabled: true, config: '{}' });
  });

  it('explains the rules that fired with file:line', async () => {
    const d = await decide(s, { action: 'run', input: inputFor(s, { spentTodayMicros: 150_000_000 }) });
    const fired = d.explanation.fired.filter((f) => f.pack === 'budget');
    expect(fired.length).toBeGreaterThan(0);
    for (const f of fired) expect(f.location).toMatch(LOC('budget'));
  });

  it('writes decisions.json next to an execution and counts denies per pack', async () => {
    mkdirSync(join(s.ctx.home, 'executions', 'ex_test1'), { recursive: true });
    const before = policyMetrics(s.store).deniesTotal.find((r) => r.pack === 'quota')?.value ?? 0;
    await decide(s, { action: 'run', executionId: 'ex_test1', input: inputFor(s, { tenant: { ...s.tenant, maxConcurrent: 0, dailyBudgetMicros: 1e8 } }) });
    const path = join(s.ctx.home, 'executions', 'ex_test1', 'decisions.json');
    expect(existsSync(path)).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8'))[0].outcome).toBe('deny');
    const m = policyMetrics(s.store);
    expect(m.deniesTotal.find((r) => r.pack === 'quota')!.value).toBe(before + 1);
    expect(m.evalMs.count).toBeGreaterThanOrEqual(8);
    expect(m.evalMs.buckets.at(-1)).toEqual({ le: '+Inf', count: m.evalMs.count });
    expect(m.costEstimateUSD[0]!.value).toBe(1);
  });
});
