// Evaluation off the event loop: the worker-thread pool decides exactly as in-process evaluation does,
// keeps packs warm per thread, cuts off a stuck evaluation (terminating and replacing the thread)
// without holding up other decisions, and bounds its queue. Real threads (the built dist/ script).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acquirePolicyPool,
  activePolicyPool,
  decide,
  EvalPool,
  loadPacks,
  packCacheKey,
  packData,
  policyCacheStats,
  poolOptionsFrom,
  releasePolicyPool,
} from '../../../src/policy/packs/index.js';
import type { Session } from '../../../src/tenancy/index.js';
import { inputFor, tempSession, withEnv } from './helpers.js';

let s: Session;
beforeAll(async () => {
  s = await tempSession();
});
afterAll(async () => {
  await releasePolicyPool();
  s.close();
});

const denyInput = () => inputFor(s, { tenant: { ...s.tenant, maxConcurrent: 1, dailyBudgetMicros: 100_000_000 }, activeExecutions: ['ex_a'] });

describe('the evaluation pool', () => {
  it('decides exactly as in-process evaluation does (allow and deny, reasons with locations)', async () => {
    expect(activePolicyPool()).toBeUndefined();
    const localAllow = await decide(s, { action: 'run', input: inputFor(s), record: false });
    const localDeny = await decide(s, { action: 'run', input: denyInput(), record: false });
    const pool = acquirePolicyPool({ MAESTRO_POLICY_THREADS: '2' })!;
    expect(pool.stats().threads).toBe(2);
    const pooledAllow = await decide(s, { action: 'run', input: inputFor(s), record: false });
    const pooledDeny = await decide(s, { action: 'run', input: denyInput(), record: false });
    const strip = (d: typeof localAllow) => ({ outcome: d.outcome, reasons: d.reasons, warnings: d.warnings, packs: d.packs, failClosed: d.failClosed });
    expect(strip(pooledAllow)).toEqual(strip(localAllow));
    expect(strip(pooledDeny)).toEqual(strip(localDeny));
    expect(pooledDeny.reasons[0]).toMatchObject({ pack: 'quota' });
    expect(pool.stats().completed).toBeGreaterThanOrEqual(2);
  });

  it('keeps packs warm on its threads: after each thread has compiled them, decisions only hit', async () => {
    const burst = () => Promise.all(Array.from({ length: 20 }, () => decide(s, { action: 'run', input: inputFor(s), record: false })));
    // Each thread compiles each pack once, whenever it first gets a decision: at most 2 x 6 misses in all.
    const start = policyCacheStats();
    await burst();
    await burst();
    expect(policyCacheStats().misses - start.misses).toBeLessThanOrEqual(12);
    const before = policyCacheStats();
    await burst();
    const after = policyCacheStats();
    expect(after.misses - before.misses).toBe(0);
    expect(after.hits - before.hits).toBe(20 * 6);
  });

  it('cuts off a stuck evaluation: denied fail-closed with the reason, thread replaced, other decisions unaffected', async () => {
    const pool = activePolicyPool()!;
    const stuck = withEnv(s, { MAESTRO_PDP_DELAY_MS: '20000', MAESTRO_PDP_CUTOFF_MS: '300' });
    const t0 = Date.now();
    const pending = decide(stuck, { action: 'run', input: inputFor(s), record: false });
    // While one thread is stuck, the other keeps deciding.
    const quick = await decide(s, { action: 'run', input: inputFor(s), record: false });
    expect(quick.outcome).toBe('allow');
    const d = await pending;
    const took = Date.now() - t0;
    expect(took).toBeLessThan(5000);
    expect(d.outcome).toBe('deny');
    expect(d.failClosed).toBe(true);
    expect(d.reasons.at(-1)).toMatchObject({ pack: '*', rule: 'timeout' });
    expect(d.reasons.at(-1)!.message).toMatch(
      /did not finish within its 300 ms cut-off \(time budget 250 ms\): the evaluation thread was stopped after \d+ ms; denied \(fail-closed\)/,
    );
    expect(pool.stats()).toMatchObject({ threads: 2, cutOffs: 1, respawns: 1 });
    // The replacement thread works.
    const results = await Promise.all([1, 2, 3, 4].map(() => decide(s, { action: 'run', input: inputFor(s), record: false })));
    expect(results.every((r) => r.outcome === 'allow')).toBe(true);
  });

  it('a delay over the budget but under the cut-off is a budget overrun (fail-closed), measured in the thread', async () => {
    const slow = withEnv(s, { MAESTRO_PDP_DELAY_MS: '150', MAESTRO_PDP_TIMEOUT_MS: '60' });
    const d = await decide(slow, { action: 'run', input: inputFor(s), record: false });
    expect(d.outcome).toBe('deny');
    expect(d.evalMs).toBeGreaterThanOrEqual(150);
    expect(d.reasons.at(-1)!.message).toMatch(/over its 60 ms time budget: denied \(fail-closed\)/);
  });

  it('bounds its queue: past queueMax a decision is denied fail-closed at once', async () => {
    const pool = new EvalPool({ ...poolOptionsFrom({}), threads: 1, queueMax: 1 });
    try {
      const job = (delayMs: number) => ({ packs: [], input: {}, data: {}, explain: false, cutoffMs: 5000, delayMs });
      const a = pool.run(job(400));
      const b = pool.run(job(0));
      const c = await pool.run(job(0));
      expect(c).toEqual({ kind: 'rejected', message: 'the policy evaluation queue is full (1 decisions waiting)' });
      expect((await a).kind).toBe('done');
      expect((await b).kind).toBe('done');
      expect(pool.stats()).toMatchObject({ rejected: 1, completed: 2, queued: 0 });
    } finally {
      await pool.close();
    }
  });

  it('a busy event loop does not turn a finished evaluation into a cut-off (the timer fires late, the answer counts)', async () => {
    const pool = new EvalPool({ ...poolOptionsFrom({}), threads: 1, graceMs: 0 });
    try {
      const job = { packs: [], input: {}, data: {}, explain: false, cutoffMs: 100, delayMs: 20 };
      expect((await pool.run(job)).kind).toBe('done'); // the thread is up
      const pending = pool.run(job);
      const until = Date.now() + 600;
      while (Date.now() < until) {
        // Block the main thread well past the 100 ms cut-off while the thread finishes its 20 ms job.
      }
      const o = await pending;
      expect(o.kind).toBe('done');
      expect(pool.stats()).toMatchObject({ cutOffs: 0, completed: 2 });
      // A real overrun is still cut off.
      expect(await pool.run({ ...job, delayMs: 5000 })).toMatchObject({ kind: 'cut-off', phase: 'evaluate' });
    } finally {
      await pool.close();
    }
  });

  it("sends a pack's source once per thread; a thread that evicted it asks again and still decides", async () => {
    const { packs } = await loadPacks(s.ctx, s.store, s.identity.tenantId, { onlyEnabled: true });
    const job = {
      packs: packs.map((lp) => ({ meta: lp.pack.meta, digest: lp.pack.digest, modules: lp.pack.modules, key: packCacheKey(lp.pack.digest, lp.signature) })),
      input: denyInput(),
      data: packData(packs),
      explain: false,
      cutoffMs: 5000,
      delayMs: 0,
    };
    const verdicts = (o: Awaited<ReturnType<EvalPool['run']>>) =>
      o.kind === 'done' ? o.result.outcomes.map((x) => (x.kind === 'ok' ? x.verdict.deny.length : x.kind)) : o.kind;
    for (const cacheMax of [256, 2]) {
      const pool = new EvalPool({ ...poolOptionsFrom({}), threads: 1, cacheMax });
      try {
        const first = await pool.run(job);
        const second = await pool.run(job); // sent without sources: the thread has them, or asks again
        expect(verdicts(first)).toEqual([0, 1, 0, 0, 0, 0].map((_n, i) => (packs[i]!.pack.meta.id === 'quota' ? 1 : 0)));
        expect(verdicts(second)).toEqual(verdicts(first));
        if (second.kind === 'done') expect(second.result.misses).toBe(cacheMax === 2 ? 6 : 0);
      } finally {
        await pool.close();
      }
    }
  });

  it('MAESTRO_POLICY_THREADS=0 keeps evaluation in-process', () => {
    expect(poolOptionsFrom({ MAESTRO_POLICY_THREADS: '0' }).threads).toBe(0);
    expect(poolOptionsFrom({ MAESTRO_POLICY_THREADS: 'x' }).threads).toBeGreaterThan(0);
  });
});
