// policyGate / policyInputFor read the live figures from the store: executions holding slots, their
// estimates in today's spend, and leave the execution being admitted out of its own figures.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planManifest } from '../../../src/cost/index.js';
import { decisionsFor, deniedError, linkDecisionToExecution, planPolicy, policyGate, policyInputFor, statusPolicy } from '../../../src/policy/packs/index.js';
import type { Session } from '../../../src/tenancy/index.js';
import { REPO, tempSession } from './helpers.js';

let s: Session;
beforeAll(async () => {
  s = await tempSession();
  s.store.db.prepare('update tenants set max_concurrent = 2, daily_budget_micros = 10000000 where id = ?').run(s.tenant.id);
  s = { ...s, tenant: { ...s.tenant, maxConcurrent: 2, dailyBudgetMicros: 10_000_000 } };
});
afterAll(() => s.close());

function execution(id: string, status: string, estimateMicros: number): void {
  s.store.db
    .prepare(
      `insert into executions (id, tenant_id, subject, workflow_name, manifest_digest, status, estimated_cost_micros, published_at) values (?, ?, 'x@local', 'wf', 'sha256:00', ?, ?, ?)`,
    )
    .run(id, s.tenant.id, status, estimateMicros, new Date().toISOString());
}

const manifest = {
  path: '/x/wf.yaml',
  source: '',
  digest: 'sha256:00',
  manifest: {
    apiVersion: 'maestro/v1' as const,
    kind: 'Workflow' as const,
    metadata: { name: 'wf', labels: {} },
    spec: { region: 'EU', resourceClass: 'small' as const, tasks: [] },
  },
};

describe('policyGate', () => {
  it('builds the §8 input from the store: slots in use and spend (live estimates included)', () => {
    execution('ex_01', 'running', 4_000_000);
    const input = policyInputFor(s, { action: 'plan', manifest, estimateMicros: 1_500_000 });
    expect(input.tenant.quota).toEqual({ maxConcurrent: 2, inUse: 1, active: ['ex_01'] });
    expect(input.tenant.budget).toEqual({ dailyMaxUSD: 10, spentTodayUSD: 4 });
    expect(input.plan.estimatedCostUSD).toBe(1.5);
    expect(input.request).toEqual({ resourceClass: 'small', region: 'EU' });
    expect(input.actor).toEqual({ sub: 'root@local', roles: ['admin'], tenant: s.tenant.id });
  });

  it('the execution being admitted is left out of its own slots and spend', () => {
    execution('ex_02', 'queued', 2_000_000);
    const input = policyInputFor(s, { action: 'run', manifest, estimateMicros: 2_000_000, executionId: 'ex_02' });
    expect(input.tenant.quota.active).toEqual(['ex_01']);
    expect(input.tenant.budget.spentTodayUSD).toBe(4);
  });

  it('denies at the concurrency cap with the holders, and budget warns past 80%', async () => {
    execution('ex_03', 'running', 1_000_000);
    const g = await policyGate(s, { action: 'run', manifest, estimateMicros: 1_000_000 });
    expect(g.allow).toBe(false);
    expect(g.reasons).toEqual([
      expect.stringMatching(/^tenant default at concurrency quota \(3\/2 running: ex_01, ex_02, ex_03\) \[quota\/deny policies\/quota\/policy\.rego:\d+\]$/),
    ]);
    expect(g.warnings[0]).toContain('budget: tenant default would reach 80.0% of its daily budget');
    const err = deniedError(g.decision);
    expect(err.exitCode).toBe(3);
    expect(err.message).toMatch(/^denied by policy: tenant default at concurrency quota/);
  });

  it('links a plan-time decision to the execution it admitted and shows it in status', async () => {
    const g = await policyGate(s, { action: 'plan', manifest, estimateMicros: 100_000 });
    mkdirSync(join(s.ctx.home, 'executions', 'ex_03'), { recursive: true });
    linkDecisionToExecution(s, g.decision, 'ex_03');
    const list = decisionsFor(s, 'ex_03');
    expect(list.map((d) => d.id)).toEqual([g.decision.id]);
    const st = statusPolicy(s, s.tenant, 'ex_03');
    expect(st.decisions).toHaveLength(1);
    expect(st.budget).toEqual({ capUSD: 10, spentUSD: 0, liveEstimatesUSD: 7, projectedUSD: 7, remainingUSD: 3, projectedPct: 70 });
  });

  it("planPolicy decides a cost plan: each pack's verdict, the estimate in the budget context", async () => {
    const fresh = await tempSession();
    try {
      const plan = await planManifest(fresh, join(REPO, 'fixtures', 'manifests', 'hello.yaml'));
      const g = await planPolicy(fresh, plan, { explain: true });
      expect(g.outcome).toBe('allow');
      expect(g.decision.packs.map((p) => p.verdict)).toEqual(['allow', 'allow', 'allow', 'allow', 'allow', 'allow']);
      expect(g.decision.explanation.budget!.estimateUSD).toBe(plan.estimatedCostUSD);
      expect(g.decision.explanation.fired.length).toBeGreaterThan(0);
      const eu = await planPolicy(fresh, plan, { region: 'EU' });
      expect(eu.reasons).toEqual([
        expect.stringMatching(
          /^residency: workflow hello runs in region US but the request is for region EU \[residency\/deny policies\/residency\/policy\.rego:\d+\]$/,
        ),
      ]);
    } finally {
      fresh.close();
    }
  });
});
