/** The cost room against a real state home and SQLite file: plan → record → history → budget → report. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  budgetContext,
  calibrateCosts,
  costHooks,
  costReport,
  costSummary,
  type Plan,
  planExecution,
  recordActuals,
  spentTodayMicros,
} from '../../src/cost/index.js';
import { loadManifest } from '../../src/manifest/index.js';
import { getTenant, openSession, type Session } from '../../src/tenancy/index.js';
import { testContext, writeManifest } from './helpers.js';

const sessions: Session[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.close();
});

async function setup() {
  const ctx = testContext();
  const session = await openSession(ctx);
  sessions.push(session);
  const path = writeManifest(ctx.home, 'wf', [
    { id: 'a', run: 'echo a', resources: { cpu: 1, memoryMB: 256, timeoutSec: 60, expectedSec: 2 } },
    { id: 'b', run: 'echo b', needs: ['a'] },
  ]);
  return { ctx, session, loaded: await loadManifest(path, ctx) };
}

let seq = 0;
function insertExecution(session: Session, status: string, plan: Plan | null, finishedAt: string | null) {
  const id = `ex_${String(++seq).padStart(26, '0')}`;
  session.store.db
    .prepare(`insert into executions (id, tenant_id, subject, workflow_name, manifest_digest, status, estimated_cost_micros,
    published_at, started_at, finished_at) values (?, ?, 'tester@local', 'wf', 'sha256:x', ?, ?, ?, ?, ?)`)
    .run(id, session.tenant.id, status, plan?.estimatedCostMicros ?? null, '2026-03-10T11:00:00.000Z', '2026-03-10T11:00:00.000Z', finishedAt);
  return id;
}

const usage = (cpuSec: number) => ({ cpuSec, peakRssMB: 64, wallSec: cpuSec, bytesWritten: 4096 });

describe('cost room (store-backed)', () => {
  it('plans in topological order with declared and default guesses, then learns from recorded actuals', async () => {
    const { session, loaded } = await setup();
    const first = planExecution(session, loaded);
    expect(first.tasks.map((t) => [t.id, t.basis.guess.source])).toEqual([
      ['a', 'declared'],
      ['b', 'default'],
    ]);
    expect(first.estimatedCostMicros).toBe(first.tasks[0]!.estimatedCostMicros + first.tasks[1]!.estimatedCostMicros);

    for (const cpu of [0.5, 0.7, 0.6]) {
      const id = insertExecution(session, 'succeeded', first, '2026-03-10T11:30:00.000Z');
      const r = recordActuals(
        session,
        {
          id,
          status: 'succeeded',
          finishedAt: '2026-03-10T11:30:00.000Z',
          tasks: [
            { id: 'a', status: 'succeeded', usage: usage(cpu) },
            { id: 'b', status: 'succeeded', usage: usage(cpu / 10) },
          ],
        },
        { plan: first },
      );
      expect(r.recorded).toBe(true);
      expect(r.actualCostMicros).toBeGreaterThan(0);
    }
    const next = planExecution(session, loaded);
    expect(next.guessSources).toEqual({ history: 2, priors: 0, declared: 0, default: 0 });
    const a = next.tasks[0]!;
    expect(a.basis.guess.samples).toBe(3);
    expect(a.basis.guess.cpuSec).toBe(0.6);
    expect(a.highCostMicros).toBeGreaterThan(a.estimatedCostMicros);
  });

  it('records idempotently, sets the execution columns, and summarises estimate, actual and drift', async () => {
    const { ctx, session, loaded } = await setup();
    const plan = planExecution(session, loaded);
    const id = insertExecution(session, 'succeeded', plan, '2026-03-10T11:59:00.000Z');
    // the plan comes from <home>/executions/<id>/plan.json as the runner writes it
    mkdirSync(join(ctx.home, 'executions', id), { recursive: true });
    writeFileSync(join(ctx.home, 'executions', id, 'plan.json'), JSON.stringify(plan));
    const record = {
      id,
      status: 'succeeded',
      finishedAt: '2026-03-10T11:59:00.000Z',
      tasks: [
        { id: 'a', status: 'succeeded', usage: usage(1) },
        { id: 'b', status: 'skipped' },
      ],
    };
    const r1 = recordActuals(session, record);
    const r2 = recordActuals(session, record);
    expect(r1.recorded).toBe(true);
    expect(r2.recorded).toBe(false);
    const summary = costSummary(session.store, id)!;
    expect(summary.estimatedUSD).toBe(plan.estimatedCostUSD);
    expect(summary.actualUSD).toBe(r1.actualUSD);
    expect(summary.driftPct).toBe(Math.round(((r1.actualCostMicros - plan.estimatedCostMicros) / r1.actualCostMicros) * 10_000) / 100);
    const row = session.store.db.prepare('select actual_cost_micros as a from executions where id = ?').get(id) as { a: number };
    expect(row.a).toBe(r1.actualCostMicros);
    expect(costSummary(session.store, 'ex_nope')).toBeNull();
    // booked once in the ledger
    expect(spentTodayMicros(session.store, session.tenant, ctx.clock.now())).toBe(r1.actualCostMicros);
  });

  it("spent today = today's ledger in the tenant time zone + estimates of running executions", async () => {
    const { ctx, session, loaded } = await setup();
    const plan = planExecution(session, loaded);
    const record = (id: string, at: string) =>
      recordActuals(session, { id, status: 'succeeded', finishedAt: at, tasks: [{ id: 'a', status: 'succeeded', usage: usage(2) }] }, { plan });
    const y = record(insertExecution(session, 'succeeded', plan, '2026-03-09T23:30:00.000Z'), '2026-03-09T23:30:00.000Z');
    const t = record(insertExecution(session, 'succeeded', plan, '2026-03-10T00:30:00.000Z'), '2026-03-10T00:30:00.000Z');
    insertExecution(session, 'running', plan, null);
    expect([y.ledgerDay, t.ledgerDay]).toEqual(['2026-03-09', '2026-03-10']);
    expect(spentTodayMicros(session.store, session.tenant, ctx.clock.now())).toBe(t.actualCostMicros + plan.estimatedCostMicros);
  });

  it('books the ledger by the tenant-local day (America/Denver, UTC−6 after the DST change)', async () => {
    const { session, loaded } = await setup();
    session.store.db.prepare("update tenants set day_timezone = 'America/Denver' where id = ?").run(session.tenant.id);
    const denver = getTenant(session.store, session.tenant.id);
    const plan = planExecution(session, loaded);
    const record = (id: string, at: string) =>
      recordActuals(session, { id, status: 'succeeded', finishedAt: at, tasks: [{ id: 'a', status: 'succeeded', usage: usage(2) }] }, { plan });
    const y = record(insertExecution(session, 'succeeded', plan, '2026-03-09T23:30:00.000Z'), '2026-03-09T23:30:00.000Z');
    const t = record(insertExecution(session, 'succeeded', plan, '2026-03-10T00:30:00.000Z'), '2026-03-10T00:30:00.000Z');
    insertExecution(session, 'running', plan, null);
    expect([y.ledgerDay, t.ledgerDay]).toEqual(['2026-03-09', '2026-03-09']);
    // 05:00Z on the 10th is 23:00 on the 9th in Denver: both runs count; 12:00Z is the 10th: neither does
    expect(spentTodayMicros(session.store, denver, Date.parse('2026-03-10T05:00:00Z'))).toBe(
      y.actualCostMicros + t.actualCostMicros + plan.estimatedCostMicros,
    );
    expect(spentTodayMicros(session.store, denver, Date.parse('2026-03-10T12:00:00Z'))).toBe(plan.estimatedCostMicros);
  });

  it('reports accuracy for the tenant and calibrates on the same history', async () => {
    const { ctx, session, loaded } = await setup();
    for (let i = 0; i < 6; i++) {
      const plan = planExecution(session, loaded);
      const at = new Date(ctx.clock.now() - (10 - i) * 60_000).toISOString();
      const id = insertExecution(session, 'succeeded', plan, at);
      recordActuals(
        session,
        {
          id,
          status: 'succeeded',
          finishedAt: at,
          tasks: [
            { id: 'a', status: 'succeeded', usage: usage(1) },
            { id: 'b', status: 'succeeded', usage: usage(0.1) },
          ],
        },
        { plan },
      );
    }
    const report = costReport(session, { since: '1d' });
    expect(report.tenant).toBe('default');
    expect(report.count).toBe(6);
    // the first execution was a declared guess (2 s declared, 1 s used) plus a trivial default (echo); the rest come from identical history
    expect(report.withinTolerance).toBe(5);
    expect(report.worstOffenders[0]!.driftPct).toBeLessThan(-10);
    expect(report.bySource.history.count).toBe(10);
    expect(report.bySource.declared.count + report.bySource.default.count).toBe(2);
    expect(report.alert).toMatch(/ALERT/);
    expect(costReport(session, { since: '1m' }).count).toBe(0);
    expect(() => costReport(session, { since: 'later' })).toThrow(/neither a duration nor a date/);

    const cal = calibrateCosts(session, {});
    expect(cal.executions).toBe(6);
    expect(cal.after.withinTolerance).toBeGreaterThanOrEqual(cal.before.withinTolerance);
    expect(cal.applied).toBe(true);
    const after = planExecution(session, loaded);
    expect(after.tasks[0]!.basis.guess.samples).toBeLessThanOrEqual(cal.factors[0]!.window);
  });

  it('gives the budget context (cap, spent, projected %) and the runner hooks', async () => {
    const { ctx, session, loaded } = await setup();
    session.store.db.prepare('update tenants set daily_budget_micros = 10000 where id = ?').run(session.tenant.id);
    const tenant = getTenant(session.store, session.tenant.id);
    const hooks = costHooks(session);
    const { estimatedCostMicros, plan } = await hooks.plan({ loaded });
    expect(estimatedCostMicros).toBe(plan.estimatedCostMicros);
    const id = insertExecution(session, 'running', plan, null);
    const b = budgetContext(session.store, tenant, ctx.clock.now(), 2000);
    expect(b).toMatchObject({ dailyMaxUSD: 0.01, spentTodayUSD: estimatedCostMicros / 1e6, estimateUSD: 0.002, day: '2026-03-10', dayTimezone: 'UTC' });
    expect(b.projectedPct).toBe(Math.round(((estimatedCostMicros + 2000) / 10000) * 10_000) / 100);
    mkdirSync(join(ctx.home, 'executions', id), { recursive: true });
    writeFileSync(join(ctx.home, 'executions', id, 'plan.json'), JSON.stringify({ estimatedCostMicros, plan }));
    session.store.db.prepare("update executions set status = 'succeeded', finished_at = ? where id = ?").run('2026-03-10T11:00:00.000Z', id);
    await hooks.finished(
      { id, status: 'succeeded', finishedAt: '2026-03-10T11:00:00.000Z', tasks: [{ id: 'a', status: 'succeeded', usage: usage(0.2) }] },
      join(ctx.home, 'executions', id),
    );
    const a = costSummary(session.store, id)!;
    expect(a.actualUSD).toBeGreaterThan(0);
    expect(budgetContext(session.store, tenant, ctx.clock.now()).spentTodayUSD).toBe(a.actualUSD);
  });
});
