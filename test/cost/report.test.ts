import { describe, expect, it } from 'vitest';
import { accuracy, alertLine, type DriftSample, parseSince, worstOffenders } from '../../src/cost/report.js';

const s = (id: string, est: number, act: number): DriftSample => ({
  executionId: id,
  workflow: `wf-${id}`,
  tenantId: 't',
  estimatedMicros: est,
  actualMicros: act,
  finishedAt: '2026-03-10T00:00:00.000Z',
});

describe('report math', () => {
  it('counts the share within ±10%, median and p95 absolute drift, excluding executions that ran nothing', () => {
    // drifts: 0%, +5%, −10%, +20%, −50% ; one execution with actual 0
    const samples = [s('a', 100, 100), s('b', 95, 100), s('c', 110, 100), s('d', 80, 100), s('e', 150, 100), s('z', 10, 0)];
    const a = accuracy(samples);
    expect(a.count).toBe(5);
    expect(a.excluded).toBe(1);
    expect(a.withinTolerance).toBe(3);
    expect(a.shareWithin10Pct).toBe(0.6);
    expect(a.medianAbsDriftPct).toBe(10);
    expect(a.p95AbsDriftPct).toBe(44); // 20 + 0.8 × 30
    expect(a.meanDriftPct).toBe(-7);
    expect(a.actualUSD).toBe(0.0005);
    expect(alertLine(a)).toMatch(/^ALERT: only 60\.0% of 5 executions within ±10%/);
  });

  it('raises no alert at or above 95%, or with nothing to judge', () => {
    const ok = Array.from({ length: 20 }, (_, i) => s(`x${i}`, i === 0 ? 50 : 100, 100));
    expect(accuracy(ok).shareWithin10Pct).toBe(0.95);
    expect(alertLine(accuracy(ok))).toBeNull();
    expect(alertLine(accuracy([]))).toBeNull();
  });

  it('lists the worst offenders by absolute drift', () => {
    const w = worstOffenders([s('a', 100, 100), s('b', 300, 100), s('c', 50, 100)], 2);
    expect(w.map((o) => [o.executionId, o.driftPct])).toEqual([
      ['b', -200],
      ['c', 50],
    ]);
  });

  it('parses --since durations and dates', () => {
    const now = Date.parse('2026-03-10T12:00:00Z');
    expect(parseSince('7d', now)).toBe(now - 7 * 86_400_000);
    expect(parseSince('36h', now)).toBe(now - 36 * 3_600_000);
    expect(parseSince('90m', now)).toBe(now - 90 * 60_000);
    expect(parseSince('2026-03-01', now)).toBe(Date.parse('2026-03-01'));
    expect(parseSince('soon', now)).toBeNull();
  });
});
