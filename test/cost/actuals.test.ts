import { describe, expect, it } from 'vitest';
import { computeActuals } from '../../src/cost/actuals.js';
import { driftFraction, driftPct, microsToUsd, roundMicros, usdToMicros } from '../../src/cost/money.js';
import type { Plan } from '../../src/cost/plan.js';

const prices = { vcpuSecondUSD: 0.0001, gbSecondUSD: 0.00001, gbWrittenUSD: 0.05, baseFeeUSD: 0.00005 };

function plan(estimates: Record<string, number>): Plan {
  const tasks = Object.entries(estimates).map(([id, micros]) => ({
    id,
    uses: 'shell',
    resourceClass: 'small',
    needs: [],
    digest: `sha256:${id}`,
    resources: { cpu: 1, memoryMB: 256, timeoutSec: 60, tmpMB: 64, pids: 64 },
    estimatedCostMicros: micros,
    estimatedCostUSD: micros / 1e6,
    highCostMicros: micros,
    highCostUSD: micros / 1e6,
    basis: { prices, guess: {} as never, correction: 1, components: {} as never },
  }));
  const total = tasks.reduce((s, t) => s + t.estimatedCostMicros, 0);
  return { workflow: 'w', tasks, estimatedCostMicros: total, estimatedCostUSD: total / 1e6, prices: { sources: [], digest: 'sha256:x' } } as unknown as Plan;
}

describe('actuals', () => {
  it('prices CPU seconds, GB-seconds (peak RSS × wall) and bytes written, plus the base fee', () => {
    const a = computeActuals(plan({ a: 400, b: 100 }), {
      id: 'ex_1',
      status: 'failed',
      tasks: [
        { id: 'a', status: 'succeeded', usage: { cpuSec: 2, peakRssMB: 2048, wallSec: 5, bytesWritten: 2 * 1024 ** 3 } },
        { id: 'b', status: 'skipped', usage: null },
      ],
    });
    // 2 × 100 + (2 GB × 5 s) × 10 + 2 GB × 50 000 + 50
    expect(a.tasks[0]!.actualCostMicros).toBe(200 + 100 + 100_000 + 50);
    expect(a.tasks[1]!.actualCostMicros).toBe(0);
    expect(a.actualCostMicros).toBe(100_350);
    expect(a.actualUSD).toBe(0.10035);
    expect(a.driftPct).toBe(driftPct(500, 100_350));
  });

  it('charges a failed task for what it used, and nothing for one that never ran', () => {
    const a = computeActuals(plan({ a: 100 }), {
      id: 'ex_2',
      status: 'failed',
      tasks: [{ id: 'a', status: 'failed', usage: { cpuSec: 0.5, peakRssMB: 0, wallSec: 0.5, bytesWritten: 0 } }],
    });
    expect(a.actualCostMicros).toBe(100);
    const b = computeActuals(plan({ a: 100 }), { id: 'ex_3', status: 'cancelled', tasks: [{ id: 'a', status: 'cancelled' }] });
    expect(b.actualCostMicros).toBe(0);
    expect(b.driftPct).toBeNull();
  });
});

describe('money and drift', () => {
  it('drift is (actual − estimate) / actual', () => {
    expect(driftFraction(90, 100)).toBeCloseTo(0.1);
    expect(driftFraction(110, 100)).toBeCloseTo(-0.1);
    expect(driftPct(95, 100)).toBe(5);
    expect(driftPct(0, 0)).toBe(0);
    expect(driftPct(5, 0)).toBeNull();
  });

  it('keeps integer micro-dollars and converts only at the edges', () => {
    expect(roundMicros(2.5)).toBe(3);
    expect(roundMicros(-2.5)).toBe(-3);
    expect(microsToUsd(1_234_567)).toBe(1.234567);
    expect(usdToMicros(3.27)).toBe(3_270_000);
    expect(usdToMicros(0.1 + 0.2)).toBe(300_000);
  });
});

describe('unmeasured CPU time', () => {
  it('bills wall time × requested vCPUs when the runner could not measure CPU', () => {
    const a = computeActuals(plan({ a: 100 }), {
      id: 'ex_4',
      status: 'succeeded',
      tasks: [{ id: 'a', status: 'succeeded', usage: { cpuSec: null, peakRssMB: null, wallSec: 2, bytesWritten: 0 } }],
    });
    expect(a.tasks[0]!.usage!.cpuSec).toBe(2);
    expect(a.actualCostMicros).toBe(2 * 100 + 50);
  });
});
