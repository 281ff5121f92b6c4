import { describe, expect, it } from 'vitest';
import { DEFAULT_FACTORS, estimateTask } from '../../src/cost/estimator.js';
import { taskDigest, type Usage } from '../../src/cost/model.js';
import type { TaskSpec } from '../../src/manifest/manifest.types.js';

const prices = { vcpuSecondUSD: 0.0001, gbSecondUSD: 0.00001, gbWrittenUSD: 0.05, baseFeeUSD: 0.00005 };

function task(over: Partial<TaskSpec['resources']> = {}): TaskSpec {
  return {
    id: 't',
    uses: 'shell',
    run: 'make',
    needs: [],
    env: {},
    network: false,
    resources: { cpu: 2, memoryMB: 512, timeoutSec: 100, tmpMB: 64, pids: 64, ...over },
  };
}

const input = (t: TaskSpec, history: Usage[] = [], factors = DEFAULT_FACTORS) => ({
  task: t,
  digest: taskDigest(t),
  resourceClass: 'small' as const,
  prices,
  defaultSec: 30,
  history,
  factors,
});

describe('estimator: time guess sources', () => {
  it('uses the class default when there is no history and no expectedSec', () => {
    const e = estimateTask(input({ ...task(), run: 'make all' }));
    expect(e.basis.guess.source).toBe('default');
    expect(e.basis.guess.wallSec).toBe(30);
    // 30 s × 2 vCPU × 100 µ$ + 0.5 GB × 30 s × 10 µ$ + 50 µ$ base
    expect(e.estimatedCostMicros).toBe(6000 + 150 + 50);
    expect(e.estimatedCostUSD).toBe(0.0062);
    // high: at the timeout, every vCPU busy, full memory, /tmp filled
    expect(e.highCostMicros).toBe(Math.round(100 * 2 * 100 + 0.5 * 100 * 10 + (64 / 1024) * 50_000 + 50));
  });

  it('uses the declared expectedSec before the default, with calibrated utilisation', () => {
    const e = estimateTask(input(task({ expectedSec: 4 })));
    expect(e.basis.guess.source).toBe('declared');
    expect(e.estimatedCostMicros).toBe(4 * 2 * 100 + 0.5 * 4 * 10 + 50);
    const f = { ...DEFAULT_FACTORS, cpuUtil: 0.25, memUtil: 0.5, declaredFactor: 2 };
    const c = estimateTask(input(task({ expectedSec: 4 }), [], f));
    expect(c.basis.guess.wallSec).toBe(8);
    expect(c.estimatedCostMicros).toBe(8 * 2 * 0.25 * 100 + 0.25 * 8 * 10 + 50);
  });

  it('prefers history: component-wise median of the last N runs, p90 as high', () => {
    const runs: Usage[] = [1, 2, 3, 4, 100].map((s) => ({ cpuSec: s, peakRssMB: 1024, wallSec: s, bytesWritten: 1024 ** 3 }));
    const e = estimateTask(input(task({ expectedSec: 4 }), runs));
    expect(e.basis.guess.source).toBe('history');
    expect(e.basis.guess.samples).toBe(5);
    expect(e.basis.guess.cpuSec).toBe(3); // the outlier (100 s) does not move the median
    expect(e.estimatedCostMicros).toBe(3 * 100 + 3 * 10 + 50_000 + 50);
    const p90 = 4 + 0.6 * 96; // linear interpolation between the 4th and 5th values
    expect(e.highCostMicros).toBe(Math.round(p90 * 100 + p90 * 10 + 50_000 + 50));
    expect(e.basis.guess.highWallSec).toBeCloseTo(p90, 3);
  });

  it('honours the window (newest first) and the history correction', () => {
    const runs: Usage[] = [10, 10, 1, 1, 1].map((s) => ({ cpuSec: s, peakRssMB: 0, wallSec: s, bytesWritten: 0 }));
    const e = estimateTask(input(task(), runs, { ...DEFAULT_FACTORS, window: 2, historyCorrection: 1.1 }));
    expect(e.basis.guess.samples).toBe(2);
    expect(e.estimatedCostMicros).toBe(Math.round((10 * 100 + 50) * 1.1));
    expect(e.basis.correction).toBe(1.1);
  });

  it('components add up to the estimate before correction', () => {
    const runs: Usage[] = [{ cpuSec: 1.234, peakRssMB: 300, wallSec: 2.5, bytesWritten: 5_000_000 }];
    const e = estimateTask(input(task(), runs));
    const c = e.basis.components;
    expect(Math.round((c.cpuUSD + c.memoryUSD + c.writeUSD + c.baseUSD) * 1e6)).toBe(e.estimatedCostMicros);
  });

  it('digests command, uses and resources', () => {
    expect(taskDigest(task())).toBe(taskDigest(task()));
    expect(taskDigest(task())).not.toBe(taskDigest(task({ cpu: 1 })));
    expect(taskDigest({ ...task(), run: 'false' })).not.toBe(taskDigest(task()));
  });
});
