import { describe, expect, it } from 'vitest';
import { calibrate, replay } from '../../src/cost/calibration.js';
import { DEFAULT_FACTORS } from '../../src/cost/estimator.js';
import { resolvePrices } from '../../src/cost/prices.js';
import type { TaskHistoryRow } from '../../src/store/cost.js';
import { tempDir } from './helpers.js';

const prices = resolvePrices({ home: tempDir(), cwd: '/' });

function row(exec: number, task: string, over: Partial<TaskHistoryRow>): TaskHistoryRow {
  return {
    executionId: `ex_${String(exec).padStart(4, '0')}`,
    taskId: task,
    tenantId: 't1',
    taskDigest: `sha256:${task}`,
    uses: 'shell',
    resourceClass: 'small',
    cpu: 1,
    memoryMB: 256,
    expectedSec: 10,
    status: 'succeeded',
    cpuSec: 2,
    peakRssMB: 16,
    wallSec: 2,
    bytesWritten: 0,
    estimateSource: 'declared',
    estimatedMicros: 0,
    actualMicros: 0,
    finishedAt: `2026-03-01T00:${String(exec).padStart(2, '0')}:00.000Z`,
    ...over,
  };
}

describe('calibration', () => {
  it('replays in time order: the first run of a digest is a declared guess, later runs use history', () => {
    const rows = [row(1, 'a', {}), row(2, 'a', {}), row(3, 'a', {})];
    const samples = replay(rows, prices, () => DEFAULT_FACTORS);
    expect(samples).toHaveLength(3);
    // declared 10 s × 1 vCPU vs an actual of 2 cpu-s: a large over-estimate
    expect(samples[0]!.estimatedMicros).toBeGreaterThan(4 * samples[0]!.actualMicros);
    // later executions estimate from the identical earlier runs: exact
    expect(samples[1]!.estimatedMicros).toBe(samples[1]!.actualMicros);
    expect(samples[2]!.estimatedMicros).toBe(samples[2]!.actualMicros);
  });

  it('refits declared-time and utilisation factors so new tasks are estimated better', () => {
    // 12 distinct tasks, each run once: every estimate is a declared guess (expectedSec 10, reality 2 s at half a vCPU)
    const rows = Array.from({ length: 12 }, (_, i) => row(i + 1, `t${i}`, { cpuSec: 1, wallSec: 2 }));
    const r = calibrate(rows, prices, () => DEFAULT_FACTORS);
    expect(r.executions).toBe(12);
    expect(r.before.withinTolerance).toBe(0);
    const f = r.factors[0]!;
    expect(f.declaredFactor).toBe(0.2);
    expect(f.cpuUtil).toBe(0.5);
    expect(f.memUtil).toBe(0.0625);
    expect(r.after.shareWithin10Pct).toBe(1);
    expect(r.after.medianAbsDriftPct!).toBeLessThan(r.before.medianAbsDriftPct!);
  });

  it('fits a history correction when runs drift steadily upward', () => {
    // one task whose CPU time grows 8% per run: the median of past runs lags behind
    const rows = Array.from({ length: 12 }, (_, i) => row(i + 1, 'grow', { cpuSec: 2 * 1.08 ** i, wallSec: 2 * 1.08 ** i }));
    const r = calibrate(rows, prices, () => DEFAULT_FACTORS);
    expect(r.factors[0]!.window).toBe(1);
    expect(r.factors[0]!.historyCorrection).toBeGreaterThan(1.05);
    expect(r.after.withinTolerance).toBeGreaterThan(r.before.withinTolerance);
  });
});
