/** History projected across host load, intervals, first-run priors and defaults, command shapes (ADR 0026). */
import { describe, expect, it } from 'vitest';
import { commandPrograms, commandShape, DEFAULT_FACTORS, estimateTask, type HistorySample, type Priors, projectSample } from '../../src/cost/estimator.js';
import { fitCpuSlope, fitWallSlope } from '../../src/cost/lookups.js';
import { taskDigest } from '../../src/cost/model.js';
import { describeDrift } from '../../src/cost/wording.js';
import type { TaskSpec } from '../../src/manifest/manifest.types.js';

const prices = { vcpuSecondUSD: 0.0001, gbSecondUSD: 0.00001, gbWrittenUSD: 0.05, baseFeeUSD: 0.00005 };

function task(run = 'awk x', over: Partial<TaskSpec['resources']> = {}): TaskSpec {
  return {
    id: 't',
    uses: 'shell',
    run,
    needs: [],
    env: {},
    network: false,
    resources: { cpu: 1, memoryMB: 2048, timeoutSec: 100, tmpMB: 64, pids: 64, ...over },
  };
}

const est = (t: TaskSpec, history: HistorySample[], contentionNow: number | null, cpuSlope = 0, priors?: Priors) =>
  estimateTask({
    task: t,
    digest: taskDigest(t),
    resourceClass: 'small',
    prices,
    defaultSec: 30,
    history,
    factors: DEFAULT_FACTORS,
    priors,
    load: { contentionNow, cpuSlope },
  });

// A memory-heavy CPU-bound task: 2 CPU-s, 1 GiB resident; its quiet wall is 2 s (+0.5 s of sleep).
function runUnder(c: number, slope = 0): HistorySample {
  const cpu = 2 * (1 + slope * (c - 1));
  return { cpuSec: cpu, peakRssMB: 1024, wallSec: 0.5 + cpu * c, bytesWritten: 0, contention: c };
}

describe('load projection', () => {
  it('projects the CPU-bound part of wall time with the run-queue stretch and keeps the sleep', () => {
    const p = projectSample(runUnder(3), { contentionNow: 1, cpuSlope: 0 });
    expect(p.cpuSec).toBeCloseTo(2, 6);
    expect(p.wallSec).toBeCloseTo(2.5, 6);
    expect(p.gbSec).toBeCloseTo(2.5, 6);
    const back = projectSample({ ...runUnder(1) }, { contentionNow: 3, cpuSlope: 0 });
    expect(back.wallSec).toBeCloseTo(6.5, 6);
  });

  it('uses a run as measured when the conditions are unknown on either side', () => {
    const u = { cpuSec: 1, peakRssMB: 10, wallSec: 5, bytesWritten: 7 };
    expect(projectSample(u, { contentionNow: 2, cpuSlope: 0.3 }).wallSec).toBe(5);
    expect(projectSample({ ...u, contention: 3 }, { contentionNow: null, cpuSlope: 0.3 }).cpuSec).toBe(1);
  });

  it('history recorded under load predicts a quiet run within 10%, and the reverse (unprojected it would not)', () => {
    const slope = 0.05;
    const loaded = [runUnder(3, slope), runUnder(3.2, slope), runUnder(2.8, slope)];
    const quietActual = est(task(), [runUnder(1, slope)], null, 0).estimatedCostMicros; // the quiet run, priced as measured
    const projected = est(task(), loaded, 1, slope).estimatedCostMicros;
    const naive = est(task(), loaded, null, 0).estimatedCostMicros;
    expect(Math.abs(projected - quietActual) / quietActual).toBeLessThan(0.1);
    expect(Math.abs(naive - quietActual) / quietActual).toBeGreaterThan(0.1);
    const quiet = [runUnder(1, slope), runUnder(1.05, slope), runUnder(1, slope)];
    const loadedActual = est(task(), [runUnder(3, slope)], null, 0).estimatedCostMicros;
    expect(Math.abs(est(task(), quiet, 3, slope).estimatedCostMicros - loadedActual) / loadedActual).toBeLessThan(0.1);
  });

  it('fits the CPU slope within each task and returns 0 without spread in load', () => {
    const rows = [];
    for (const [d, base] of [
      ['a', 1],
      ['b', 3],
    ] as const) {
      for (const c of [1, 1.5, 2, 3, 4]) rows.push({ taskDigest: d, cpuSec: base * (1 + 0.08 * (c - 1)), hostContention: c });
    }
    expect(fitCpuSlope(rows)).toBeGreaterThan(0.06);
    expect(fitCpuSlope(rows)).toBeLessThan(0.09);
    expect(fitCpuSlope(rows.map((r) => ({ ...r, hostContention: 2 })))).toBe(0);
    expect(fitCpuSlope(rows.map((r) => ({ ...r, hostContention: null })))).toBe(0);
  });
});

describe('wall stretch', () => {
  it('a fitted wall slope damps the projection: at slope 0.25 stretch 5 means 2× wall, not 5×', () => {
    const u = { cpuSec: 1, peakRssMB: 1024, wallSec: 2, bytesWritten: 0, contention: 5 };
    const quiet = projectSample(u, { contentionNow: 1, cpuSlope: 0, wallSlope: 0.25 });
    expect(quiet.wallSec).toBeCloseTo(1, 6);
    expect(projectSample(u, { contentionNow: 1, cpuSlope: 0, wallSlope: 0 }).wallSec).toBe(2);
  });

  it('fits the wall slope from CPU-bound runs of the same task under different loads', () => {
    const rows = [];
    for (const [d, cpu] of [
      ['a', 1],
      ['b', 0.5],
    ] as const) {
      for (const c of [2, 4, 6, 8]) rows.push({ taskDigest: d, cpuSec: cpu, wallSec: cpu * (1 + 0.3 * (c - 1)), hostContention: c });
    }
    // a sleepy task (cpu/wall < 0.2) does not count
    for (const c of [2, 8, 3]) rows.push({ taskDigest: 's', cpuSec: 0.2, wallSec: 5 + c, hostContention: c });
    expect(fitWallSlope(rows)).toBeCloseTo(0.3, 3);
    expect(fitWallSlope(rows.slice(0, 4))).toBeUndefined();
  });
});

describe('intervals', () => {
  it('history: p10–p90 around the point, at least ±25%/√n with few runs', () => {
    const one = est(task(), [runUnder(1)], null);
    expect(one.lowCostMicros).toBe(Math.round(one.estimatedCostMicros * 0.75));
    expect(one.highCostMicros).toBe(Math.round(one.estimatedCostMicros * 1.25));
    expect(one.estimateInterval).toEqual({ lowUSD: one.lowCostMicros / 1e6, highUSD: one.highCostMicros / 1e6 });
    const spread = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((s) => ({ cpuSec: s, peakRssMB: 0, wallSec: s, bytesWritten: 0 }));
    const e = est(task(), spread, null);
    expect(e.lowCostMicros).toBeLessThan(e.estimatedCostMicros);
    expect(e.highCostMicros).toBeGreaterThan(e.estimatedCostMicros);
    expect(e.highCostMicros).toBe(Math.round(9.1 * 100 + 50));
  });

  it('no history: wide, from the base fee alone to the timeout', () => {
    const e = est(task('awk x', { expectedSec: 2 }), [], 1);
    expect(e.basis.guess.source).toBe('declared');
    expect(e.lowCostMicros).toBe(50);
    expect(e.highCostMicros).toBe(Math.round(100 * 100 + 2 * 100 * 10 + (64 / 1024) * 50_000 + 50));
  });
});

describe('first runs', () => {
  it('rests on priors from similar tasks when there is no history, and says so', () => {
    const groups = [[runUnder(1)], [runUnder(1), runUnder(1)], [{ ...runUnder(1), cpuSec: 4 }]];
    const e = est(task(), [], 1, 0, { scope: 'this tenant', shape: 'awk', groups });
    expect(e.basis.guess.source).toBe('priors');
    expect(e.basis.guess.note).toBe('no history: estimated from 3 similar shell tasks (this tenant, command shape "awk")');
    expect(e.lowCostMicros).toBeLessThanOrEqual(Math.round(e.estimatedCostMicros * 0.5));
    expect(e.highCostMicros).toBeGreaterThanOrEqual(Math.round(e.estimatedCostMicros * 2));
    // history of the task itself wins over priors
    expect(est(task(), [runUnder(1)], 1, 0, { scope: 'x', shape: 'awk', groups }).basis.guess.source).toBe('history');
  });

  it('gives a trivial command (hello.yaml) a trivial default instead of 30 s at full CPU', () => {
    const echo = est(task('echo "hello"', { memoryMB: 256, timeoutSec: 60 }), [], null);
    const date = est(task('date -u > /out/report.txt', { memoryMB: 256, timeoutSec: 600 }), [], null);
    for (const e of [echo, date]) {
      expect(e.basis.guess.source).toBe('default');
      expect(e.estimatedCostMicros).toBeLessThanOrEqual(52);
      expect(e.basis.guess.note).toMatch(/^no history: a guess \(a trivial command/);
    }
    const sleep = est(task('sleep 2'), [], null);
    expect(sleep.basis.guess.wallSec).toBe(2);
    const unknown = est(task('./build.sh'), [], null);
    expect(unknown.basis.guess.wallSec).toBe(30);
    expect(unknown.basis.guess.note).toMatch(/small class default \(30s at full CPU\); declare resources\.expectedSec/);
  });

  it('drift in words: a first-run miss is a guess that missed, not a −6088% alarm', () => {
    expect(describeDrift(6300, 100, 'default')).toBe(
      'first run of this workflow (no history; a guess): actual 63× below the estimate; later plans use this run',
    );
    expect(describeDrift(102, 100, 'default')).toMatch(/^first run .*2\.0% below the estimate \(within ±10%\)/);
    expect(describeDrift(1000, 1050, 'history')).toBe('actual 5.0% above the estimate (within ±10%)');
    expect(describeDrift(100, 300, 'history')).toBe('actual 3.0× the estimate (outside ±10%)');
    expect(describeDrift(100, 0, 'history')).toBe('nothing ran: no cost');
  });
});

describe('command shapes', () => {
  it('lists programs quote-aware, skipping assignments and keywords', () => {
    expect(commandPrograms('FOO=1 head -c 10 /dev/zero | sha256sum')).toEqual(['head', 'sha256sum']);
    expect(commandShape("awk 'BEGIN { a; b | c }' && echo done > /out/x")).toBe('awk;echo>');
    expect(commandShape('date -u > /out/report.txt')).toBe('date>');
    expect(commandShape('/usr/bin/python3 -c "print(1); print(2)" 2>&1')).toBe('python3');
    expect(commandShape('')).toBe('-');
    expect(commandPrograms(Array.from({ length: 40 }, (_, i) => `p${i}`).join(' ; ')).length).toBe(16);
  });
});
