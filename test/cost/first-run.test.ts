/** First runs, host conditions in the store, admission estimates and the split report, on a real SQLite home. */
import { afterEach, describe, expect, it } from 'vitest';
import { admissionEstimate, costHooks, costReport, costSummary, type Plan, planExecution, recordActuals, setEstimateBasis } from '../../src/cost/index.js';
import { loadManifest } from '../../src/manifest/index.js';
import { insertActuals, taskHistory } from '../../src/store/cost.js';
import { openSession, type Session, tenantsSet } from '../../src/tenancy/index.js';
import { testContext, writeManifest } from './helpers.js';

const sessions: Session[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.close();
});

async function setup() {
  const ctx = testContext();
  const session = await openSession(ctx);
  sessions.push(session);
  return { ctx, session };
}

let seq = 0;
const FIN = '2026-03-10T11:30:00.000Z';
function execRow(session: Session, plan: Plan) {
  const id = `ex_${String(++seq).padStart(26, '0')}`;
  session.store.db
    .prepare(`insert into executions (id, tenant_id, subject, workflow_name, manifest_digest, status, estimated_cost_micros,
    published_at, started_at, finished_at) values (?, ?, 'tester@local', 'wf', 'sha256:x', 'succeeded', ?, ?, ?, ?)`)
    .run(id, session.tenant.id, plan.estimatedCostMicros, FIN, FIN, FIN);
  return id;
}

const quiet = { load1: 0.5, stealPct: 0, ncpu: 2, runnable: 1, contention: 1, samples: 4 };
const busy = { load1: 6, stealPct: 1.5, ncpu: 2, runnable: 6, contention: 3, samples: 9 };

async function planOf(session: Session, dir: string, name: string, run: string) {
  const path = writeManifest(dir, name, [{ id: 'main', run, resources: { cpu: 1, memoryMB: 256, timeoutSec: 60 } }]);
  return planExecution(session, await loadManifest(path, session.ctx));
}

describe('first runs and host conditions (store-backed)', () => {
  it('records host conditions and the command shape with each task run', async () => {
    const { ctx, session } = await setup();
    const plan = await planOf(session, ctx.home, 'a', "awk 'BEGIN { for (i = 0; i < 10; i++) s += i }'");
    expect(plan.tasks[0]!.commandShape).toBe('awk');
    const id = execRow(session, plan);
    recordActuals(
      session,
      {
        id,
        status: 'succeeded',
        finishedAt: FIN,
        tasks: [{ id: 'main', status: 'succeeded', usage: { cpuSec: 1, peakRssMB: 10, wallSec: 3, bytesWritten: 0 } }],
      },
      { plan, conditions: { main: busy } },
    );
    const [row] = taskHistory(session.store.db, session.tenant.id, plan.tasks[0]!.digest, 5);
    expect(row).toMatchObject({
      hostLoad1: 6,
      hostStealPct: 1.5,
      hostNcpu: 2,
      hostRunnable: 6,
      hostContention: 3,
      commandShape: 'awk',
      estimateSource: 'default',
    });
    expect(row!.estimatedLowMicros).toBe(plan.tasks[0]!.lowCostMicros);
    expect(row!.estimatedHighMicros).toBe(plan.tasks[0]!.highCostMicros);
    // a record far from any host reading (the fixed test clock is in March) stores unknown conditions, not today's
    const id2 = execRow(session, plan);
    recordActuals(
      session,
      {
        id: id2,
        status: 'succeeded',
        finishedAt: FIN,
        tasks: [{ id: 'main', status: 'succeeded', usage: { cpuSec: 1, peakRssMB: 10, wallSec: 1, bytesWritten: 0 } }],
      },
      { plan },
    );
    const rows = taskHistory(session.store.db, session.tenant.id, plan.tasks[0]!.digest, 5);
    expect(rows.find((r) => r.executionId === id2)!.hostContention).toBeNull();
  });

  it('a new task with no history is estimated from similar tasks of the tenant, then of the machine', async () => {
    const { ctx, session } = await setup();
    for (let i = 1; i <= 3; i++) {
      const plan = await planOf(session, ctx.home, `w${i}`, `awk 'BEGIN { for (i = 0; i < ${i}000; i++) s += i }'`);
      const id = execRow(session, plan);
      recordActuals(
        session,
        {
          id,
          status: 'succeeded',
          finishedAt: FIN,
          tasks: [{ id: 'main', status: 'succeeded', usage: { cpuSec: 0.4 * i, peakRssMB: 8, wallSec: 0.4 * i, bytesWritten: 0 } }],
        },
        { plan, conditions: { main: quiet } },
      );
    }
    const fresh = await planOf(session, ctx.home, 'new', "awk 'BEGIN { print 42 }'");
    const g = fresh.tasks[0]!.basis.guess;
    expect(g.source).toBe('priors');
    expect(g.note).toBe('no history: estimated from 3 similar shell tasks (this tenant, command shape "awk")');
    expect(g.cpuSec).toBeCloseTo(0.8, 3);
    expect(fresh.guessSources.priors).toBe(1);
    // another shape has no priors: the class default (a guess, said so)
    const other = await planOf(session, ctx.home, 'other', './build.sh --all');
    expect(other.tasks[0]!.basis.guess.source).toBe('default');
    // the machine's history (another tenant's runs) serves a tenant with none of its own
    session.store.db.prepare('delete from cost_task_history where tenant_id = ?').run(session.tenant.id);
    insertActuals(
      session.store.db,
      {
        executionId: 'ex_other',
        tenantId: 'tn_other',
        workflowName: 'x',
        status: 'succeeded',
        estimatedMicros: 1,
        actualMicros: 1,
        pricesDigest: 'd',
        finishedAt: FIN,
        ledgerDay: '2026-03-10',
      },
      [
        {
          executionId: 'ex_other',
          taskId: 't',
          tenantId: 'tn_other',
          taskDigest: 'sha256:o',
          uses: 'shell',
          resourceClass: 'small',
          cpu: 1,
          memoryMB: 64,
          expectedSec: null,
          status: 'succeeded',
          cpuSec: 2,
          peakRssMB: 8,
          wallSec: 2,
          bytesWritten: 0,
          estimateSource: 'history',
          estimatedMicros: 1,
          actualMicros: 1,
          finishedAt: FIN,
          commandShape: 'awk',
        },
      ],
      FIN,
    );
    const machine = await planOf(session, ctx.home, 'new2', "awk 'BEGIN { print 43 }'");
    expect(machine.tasks[0]!.basis.guess.note).toBe('no history: estimated from 1 similar shell task (this machine, command shape "awk")');
  });

  it('admits with the point estimate by default and with the interval top for a strict tenant', async () => {
    const { ctx, session } = await setup();
    const plan = await planOf(session, ctx.home, 'a', 'sort big.txt');
    expect(plan.estimateInterval.lowUSD).toBeLessThanOrEqual(plan.estimatedCostUSD);
    expect(plan.estimateInterval.highUSD).toBe(plan.highCostUSD);
    expect(plan.highCostMicros).toBeGreaterThan(plan.estimatedCostMicros);
    expect(admissionEstimate(session.store.db, session.tenant.id, plan)).toEqual({
      micros: plan.estimatedCostMicros,
      basis: 'point',
      pointMicros: plan.estimatedCostMicros,
      highMicros: plan.highCostMicros,
    });
    const view = tenantsSet(session as never, session.tenant.name, { costEstimate: 'high' });
    expect(view.costEstimate).toBe('high');
    expect(admissionEstimate(session.store.db, session.tenant.id, plan).micros).toBe(plan.highCostMicros);
    // the plan hook hands the admission figure to the budget pack (decide) and the live estimate
    const loaded = await loadManifest(plan.manifestPath, ctx);
    const out = await costHooks(session).plan({ loaded });
    expect(out.estimatedCostMicros).toBe(out.plan.highCostMicros);
    expect(out.plan.estimatedCostMicros).toBeLessThan(out.estimatedCostMicros);
    setEstimateBasis(session.store.db, session.tenant.id, 'point', FIN);
    expect((await costHooks(session).plan({ loaded })).estimatedCostMicros).toBe(plan.estimatedCostMicros);
    expect(() => tenantsSet(session as never, session.tenant.name, { costEstimate: 'max' })).toThrow(expect.objectContaining({ code: 'BAD_COST_ESTIMATE' }));
  });

  it('reports a first-run miss in words, and accuracy by source and load band', async () => {
    const { ctx, session } = await setup();
    const plan = await planOf(session, ctx.home, 'a', 'echo hello');
    const id = execRow(session, plan);
    recordActuals(
      session,
      {
        id,
        status: 'succeeded',
        finishedAt: FIN,
        tasks: [{ id: 'main', status: 'succeeded', usage: { cpuSec: 0, peakRssMB: 2, wallSec: 0.1, bytesWritten: 0 } }],
      },
      { plan, conditions: { main: quiet } },
    );
    const s = costSummary(session.store, id)!;
    expect(s.firstRun).toBe(true);
    expect(s.estimateSource).toBe('default');
    expect(s.drift).toMatch(/^first run of this workflow \(no history; a guess\)/);
    const next = await planOf(session, ctx.home, 'a', 'echo hello');
    const id2 = execRow(session, next);
    recordActuals(
      session,
      {
        id: id2,
        status: 'succeeded',
        finishedAt: FIN,
        tasks: [{ id: 'main', status: 'succeeded', usage: { cpuSec: 0.01, peakRssMB: 2, wallSec: 0.1, bytesWritten: 0 } }],
      },
      { plan: next, conditions: { main: busy } },
    );
    expect(costSummary(session.store, id2)!.firstRun).toBe(false);
    const r = costReport(session, { since: '30d' });
    expect(Object.keys(r.bySource)).toEqual(['history', 'priors', 'declared', 'default']);
    expect(r.bySource.default.count).toBe(1);
    expect(r.bySource.history.count).toBe(1);
    expect(r.bySource.priors.count).toBe(0);
    expect(r.byLoadBand.quiet.count).toBe(1);
    expect(r.byLoadBand.overloaded.count).toBe(1);
    expect(r.intervalCoverage.tasks).toBe(2);
  });
});
