/** The load model's fitted slopes are reused between plans, and refitted when history is recorded. */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_WALL_SLOPE } from '../../src/cost/estimator.js';
import { historyChanged, loadLookup, SLOPE_FIT_TTL_MS } from '../../src/cost/lookups.js';
import { insertActuals, type TaskHistoryRow } from '../../src/store/cost.js';
import { openSession, type Session } from '../../src/tenancy/index.js';
import { testContext } from './helpers.js';

const sessions: Session[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.close();
});

const FIN = '2026-03-10T11:30:00.000Z';

// CPU-bound runs of two tasks under contention 2..8 whose wall time stretches by 0.3 per unit: slope 0.3.
function recordLoadedRuns(session: Session): void {
  let n = 0;
  for (const [digest, cpu] of [
    ['sha256:a', 1],
    ['sha256:b', 0.5],
  ] as const) {
    for (const c of [2, 4, 6, 8]) {
      const executionId = `ex_slope_${++n}`;
      const task: TaskHistoryRow = {
        executionId,
        taskId: 't',
        tenantId: session.tenant.id,
        taskDigest: digest,
        uses: 'shell',
        resourceClass: 'small',
        cpu: 1,
        memoryMB: 64,
        expectedSec: null,
        status: 'succeeded',
        cpuSec: cpu,
        peakRssMB: 8,
        wallSec: cpu * (1 + 0.3 * (c - 1)),
        bytesWritten: 0,
        estimateSource: 'history',
        estimatedMicros: 1,
        actualMicros: 1,
        finishedAt: FIN,
        hostContention: c,
      };
      const row = {
        executionId,
        tenantId: session.tenant.id,
        workflowName: 'w',
        status: 'succeeded',
        estimatedMicros: 1,
        actualMicros: 1,
        pricesDigest: 'd',
        finishedAt: FIN,
        ledgerDay: '2026-03-10',
      };
      expect(insertActuals(session.store.db, row, [task], FIN)).toBe(true);
    }
  }
}

describe('the load model cache', () => {
  it('reuses the fit between plans until this process records history, then refits', async () => {
    const session = await openSession(testContext());
    sessions.push(session);
    const t0 = performance.now();
    expect(loadLookup(session.store).wallSlope).toBe(DEFAULT_WALL_SLOPE);
    // Rows written behind the cache's back (not through recordActuals): the cached fit stands
    // (asserted when this machine was quick enough to stay within the reuse period).
    recordLoadedRuns(session);
    const again = loadLookup(session.store).wallSlope;
    if (performance.now() - t0 < SLOPE_FIT_TTL_MS) expect(again).toBe(DEFAULT_WALL_SLOPE);
    // recordActuals calls this after recording: the next plan reads the new history.
    historyChanged(session.store);
    expect(loadLookup(session.store).wallSlope).toBeCloseTo(0.3, 3);
  });

  it('keeps one fit per store', async () => {
    const a = await openSession(testContext());
    const b = await openSession(testContext());
    sessions.push(a, b);
    expect(loadLookup(a.store).wallSlope).toBe(DEFAULT_WALL_SLOPE);
    recordLoadedRuns(b);
    expect(loadLookup(b.store).wallSlope).toBeCloseTo(0.3, 3);
    expect(loadLookup(a.store).wallSlope).toBe(DEFAULT_WALL_SLOPE);
  });

  it(`refits after ${SLOPE_FIT_TTL_MS} ms even without a signal (history another process recorded)`, async () => {
    const session = await openSession(testContext());
    sessions.push(session);
    expect(loadLookup(session.store).wallSlope).toBe(DEFAULT_WALL_SLOPE);
    recordLoadedRuns(session);
    await sleep(SLOPE_FIT_TTL_MS + 100);
    expect(loadLookup(session.store).wallSlope).toBeCloseTo(0.3, 3);
  });
});
