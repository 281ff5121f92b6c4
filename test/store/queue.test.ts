/** The durable queue (migration 006): admission, fair claims, leases, reclaim, fencing, positions. Real SQLite file and real PostgreSQL. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, dialectOf } from '../../src/store/db.js';
import { getExecution, markTaskFinished, type NewExecution } from '../../src/store/executions.js';
import {
  type AdmissionRequest,
  admit,
  claimBatch,
  claimOwnSlot,
  expiredLeases,
  finishHeld,
  type LeaseHolder,
  markTaskStartedHeld,
  queueCounts,
  queuePosition,
  reclaim,
  releaseExecution,
  renewLeases,
  startHeld,
  unsealedExecutions,
} from '../../src/store/queue.js';
import { storeBackends } from '../support/backends.js';

let db: Db;
let seq = 0;
const T0 = Date.parse('2026-03-01T10:00:00.000Z');

const holder = (n: number): LeaseHolder => ({ owner: `w-0000000000-${n}-ab`, pid: n, pidStart: '1' });

function row(tenant: string, over: Partial<NewExecution> = {}): NewExecution {
  seq += 1;
  return {
    id: `ex_${String(seq).padStart(26, '0')}`,
    tenant_id: tenant,
    subject: 's',
    workflow_name: 'w',
    manifest_digest: 'sha256:x',
    manifest_path: null,
    sandbox: 'none',
    estimated_cost_micros: null,
    published_at: new Date(T0 + seq).toISOString(),
    dir: null,
    detached: 1,
    ...over,
  };
}

function req(r: NewExecution, over: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return {
    row: r,
    tasks: [{ id: 'a', digest: 'd' }],
    maxConcurrent: 3,
    wait: false,
    budget: null,
    holder: holder(1),
    nowMs: T0,
    leaseMs: 1000,
    quotaReason: (h) => `quota full: ${h.join(',')}`,
    budgetReason: (s, e, c) => `budget ${s}+${e}>${c}`,
    ...over,
  };
}

const stores = storeBackends();

describe.each(stores.names)('queue on %s', (backend) => {
  beforeEach(async () => {
    db = await stores.open(backend);
    for (const [id, max] of [
      ['ta', 3],
      ['tb', 3],
      ['tc', 1],
    ] as const) {
      db.prepare("insert into tenants (id, name, max_concurrent, daily_budget_micros, created_at) values (?, ?, ?, 10000, '2026-01-01T00:00:00.000Z')").run(
        id,
        `n-${id}`,
        max,
      );
    }
  });
  afterEach(() => {
    db.close();
  });

  describe('admission', () => {
    it('denies over the concurrency cap, naming the holders, and admits again when a slot frees', () => {
      const ids = [0, 1, 2].map(() => {
        const r = row('ta');
        expect(admit(db, req(r))).toEqual({ admitted: true, waiting: false });
        return r.id;
      });
      const over = admit(db, req(row('ta')));
      expect(over).toMatchObject({ admitted: false, cause: 'quota', holders: ids });
      expect(over.admitted === false && over.reason).toBe(`quota full: ${ids.join(',')}`);
      // Detached admissions are left unleased for a pool; foreground ones are leased at once.
      expect(getExecution(db, ids[0]!)!.lease_owner).toBeNull();
      const fg = row('tb', { detached: 0 });
      admit(db, req(fg));
      expect(getExecution(db, fg.id)!.lease_owner).toBe(holder(1).owner);
      finishHeld(db, ids[0]!, null, 'cancelled', 'x', new Date(T0).toISOString());
      expect(admit(db, req(row('ta')))).toEqual({ admitted: true, waiting: false });
    });

    it('checks the budget (spent + live estimates + this estimate) in the same transaction; budget denials never wait', () => {
      // Cap 10,000 µ$, estimate 2,400 each: four fit (9,600), the fifth would be 12,000.
      const gate = {
        capMicros: 10_000,
        spentMicros: () =>
          (
            db
              .prepare("select coalesce(sum(estimated_cost_micros), 0) as s from executions where tenant_id = 'ta' and status in ('queued', 'running')")
              .get() as { s: number }
          ).s,
      };
      const results = Array.from({ length: 6 }, () =>
        admit(db, req(row('ta', { estimated_cost_micros: 2400 }), { budget: gate, maxConcurrent: 100, wait: true })),
      );
      expect(results.filter((r) => r.admitted)).toHaveLength(4);
      const denied = results.filter((r) => !r.admitted);
      expect(denied).toHaveLength(2);
      expect(denied[0]).toMatchObject({ cause: 'budget', reason: 'budget 9600+2400>10000' });
      // A zero cap denies any run with a cost.
      expect(admit(db, req(row('tb', { estimated_cost_micros: 1 }), { budget: { capMicros: 0, spentMicros: () => 0 } }))).toMatchObject({
        admitted: false,
        cause: 'budget',
      });
    });

    it('wait mode queues over the cap without taking a slot', () => {
      for (let i = 0; i < 3; i++) admit(db, req(row('ta')));
      const w = row('ta');
      expect(admit(db, req(w, { wait: true }))).toEqual({ admitted: true, waiting: true });
      expect(getExecution(db, w.id)).toMatchObject({ status: 'queued', waiting: 1 });
      expect(queueCounts(db)).toEqual({ queued: 4, waiting: 1, running: 0 });
      // The default mode is still denied: the waiting one holds no slot but the three others do.
      expect(admit(db, req(row('ta')))).toMatchObject({ admitted: false, cause: 'quota' });
    });
  });

  describe('claims', () => {
    it("dispatches fairly across tenants: one tenant's backlog does not starve another", () => {
      for (let i = 0; i < 3; i++) admit(db, req(row('ta'), { maxConcurrent: 3 }));
      const b = row('tb');
      admit(db, req(b));
      const claimed = claimBatch(db, holder(2), 2, T0, 1000);
      expect(claimed.map((r) => r.tenant_id).sort()).toEqual(['ta', 'tb']);
      expect(claimed.every((r) => r.status === 'running' && r.lease_owner === holder(2).owner && r.attempts === 1)).toBe(true);
      // Nothing is claimed twice.
      const rest = claimBatch(db, holder(3), 10, T0, 1000);
      expect(rest.map((r) => r.id).filter((id) => claimed.some((c) => c.id === id))).toEqual([]);
      expect(rest).toHaveLength(2);
      expect(claimBatch(db, holder(4), 10, T0, 1000)).toEqual([]);
    });

    it('takes a waiting execution only when its tenant has a free slot, oldest first', () => {
      const first = row('tc');
      admit(db, req(first, { maxConcurrent: 1 }));
      const w1 = row('tc');
      const w2 = row('tc');
      admit(db, req(w1, { maxConcurrent: 1, wait: true }));
      admit(db, req(w2, { maxConcurrent: 1, wait: true }));
      expect(claimBatch(db, holder(2), 10, T0, 1000).map((r) => r.id)).toEqual([first.id]);
      expect(claimBatch(db, holder(2), 10, T0, 1000)).toEqual([]);
      expect(queuePosition(db, getExecution(db, w2.id)!)).toBe(2);
      finishHeld(db, first.id, holder(2).owner, 'succeeded', null, new Date(T0).toISOString());
      expect(claimBatch(db, holder(2), 10, T0, 1000).map((r) => r.id)).toEqual([w1.id]);
      expect(queuePosition(db, getExecution(db, w2.id)!)).toBe(1);
      expect(queuePosition(db, getExecution(db, w1.id)!)).toBeNull();
    });

    it('a foreground waiter claims its own slot only when free and it is the oldest waiter', () => {
      admit(db, req(row('tc', { detached: 0 }), { maxConcurrent: 1 }));
      const w = row('tc', { detached: 0 });
      admit(db, req(w, { maxConcurrent: 1, wait: true }));
      expect(claimOwnSlot(db, w.id, holder(1), 1, T0, 1000)).toBe(false);
      const holderRow = db.prepare("select id from executions where tenant_id = 'tc' and waiting = 0").get() as { id: string };
      finishHeld(db, holderRow.id, holder(1).owner, 'succeeded', null, new Date(T0).toISOString());
      expect(claimOwnSlot(db, w.id, holder(9), 1, T0, 1000)).toBe(false); // not its holder
      expect(claimOwnSlot(db, w.id, holder(1), 1, T0, 1000)).toBe(true);
      expect(startHeld(db, w.id, holder(1).owner, 'unavailable', new Date(T0).toISOString())).toBe(true);
    });
  });

  describe('leases', () => {
    it('renews by holder; an expired lease with no task started is retried once, then fails naming the worker', () => {
      const r = row('ta');
      admit(db, req(r));
      const [c] = claimBatch(db, holder(2), 1, T0, 1000);
      expect(renewLeases(db, holder(2).owner, T0 + 500, 1000)).toEqual([r.id]);
      expect(expiredLeases(db, T0 + 1400)).toEqual([]);
      const exp = expiredLeases(db, T0 + 1600);
      expect(exp.map((e) => e.id)).toEqual([c!.id]);
      expect(reclaim(db, exp[0]!, 'worker gone', 'retried', new Date(T0).toISOString())).toBe('requeued');
      expect(getExecution(db, r.id)).toMatchObject({ status: 'queued', lease_owner: null, reason: 'retried', attempts: 1 });
      // The dead holder can no longer start a task or finish it (fencing).
      expect(markTaskStartedHeld(db, r.id, 'a', holder(2).owner, 't', 1)).toBe(false);
      expect(finishHeld(db, r.id, holder(2).owner, 'succeeded', null, 't')).toBe(false);
      const [again] = claimBatch(db, holder(3), 1, T0 + 2000, 1000);
      expect(again!.attempts).toBe(2);
      const exp2 = expiredLeases(db, T0 + 4000);
      expect(reclaim(db, exp2[0]!, 'worker w-3 gone', 'retried', new Date(T0 + 4000).toISOString())).toBe('failed');
      expect(getExecution(db, r.id)).toMatchObject({ status: 'failed', reason: 'worker w-3 gone' });
      expect(db.prepare('select status, reason from task_runs where execution_id = ?').get(r.id)).toEqual({
        status: 'skipped',
        reason: 'the worker died before this task started',
      });
    });

    it('an expired lease with a started task fails at once (never run twice); a second reclaim is a no-op', () => {
      const r = row('ta');
      admit(db, req(r));
      claimBatch(db, holder(2), 1, T0, 1000);
      expect(markTaskStartedHeld(db, r.id, 'a', holder(2).owner, 't', 4242)).toBe(true);
      const [e] = expiredLeases(db, T0 + 5000);
      expect(reclaim(db, e!, 'worker w-2 died', 'retried', 't2')).toBe('failed');
      expect(db.prepare('select status from task_runs where execution_id = ?').get(r.id)).toEqual({ status: 'failed' });
      expect(reclaim(db, e!, 'again', 'again', 't3')).toBeNull();
      expect(getExecution(db, r.id)!.reason).toBe('worker w-2 died');
    });

    it('graceful release hands back an execution with no started task, never one with a started task', () => {
      const a = row('ta');
      const b = row('ta');
      admit(db, req(a));
      admit(db, req(b));
      claimBatch(db, holder(2), 2, T0, 1000);
      markTaskStartedHeld(db, b.id, 'a', holder(2).owner, 't', 1);
      expect(releaseExecution(db, a.id, holder(2).owner)).toBe(true);
      expect(releaseExecution(db, b.id, holder(2).owner)).toBe(false);
      expect(getExecution(db, a.id)).toMatchObject({ status: 'queued', lease_owner: null, attempts: 0 });
      markTaskFinished(db, {
        execution_id: b.id,
        task_id: 'a',
        status: 'succeeded',
        exit_code: 0,
        reason: null,
        finished_at: 't',
        cpu_ms: 1,
        peak_rss_kb: 1,
        wall_ms: 1,
        bytes_written: 0,
        extras: '{"writes":[],"cpuSec":0.001,"peakRssMB":0.001}',
      });
      expect((db.prepare('select extras from task_runs where execution_id = ?').get(b.id) as { extras: string }).extras).toContain('writes');
      if (dialectOf(db) === 'sqlite') expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    });

    it('pages through the unsealed terminal executions oldest first, ties broken by id, none twice', () => {
      // Two finish at the same instant: the page boundary falls between them.
      const at = ['2026-03-01T10:00:03.000Z', '2026-03-01T10:00:01.000Z', '2026-03-01T10:00:02.000Z', '2026-03-01T10:00:02.000Z', '2026-03-01T10:00:00.000Z'];
      const ids = at.map((finished, k) => {
        const r = row('ta');
        admit(db, req(r, { holder: null, maxConcurrent: 10 }));
        db.prepare('update executions set status = ?, finished_at = ? where id = ?').run(k === 4 ? 'running' : 'failed', finished, r.id);
        return r.id;
      });
      db.prepare('update executions set sealed = 1 where id = ?').run(ids[0]);
      const seen: string[] = [];
      let after: { finishedAt: string; id: string } | undefined;
      for (let page = unsealedExecutions(db, 2); page.length > 0; page = unsealedExecutions(db, 2, after)) {
        seen.push(...page.map((r) => r.id));
        const last = page[page.length - 1]!;
        after = { finishedAt: last.finished_at!, id: last.id };
      }
      // Sealed (ids[0]) and not terminal (ids[4]) are never listed; the tie is ordered by id.
      expect(seen).toEqual([ids[1], ids[2], ids[3]]);
    });
  });
});
