/** Host conditions (ADR 0026): /proc parsing, interval figures, the bounded sampler, the PMU probe. */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  conditionsFrom,
  contentionOf,
  type HostSnapshot,
  hostSampler,
  LEASE_TTL_MS,
  loadBand,
  parseProcStat,
  probeInstructionCounters,
  RING_MAX,
  readHost,
} from '../../src/cost/host.js';
import { tempDir } from './helpers.js';

const STAT = `cpu  100 5 50 800 20 1 4 30 0 0
cpu0 50 2 25 400 10 0 2 15 0 0
intr 12345
procs_running 5
procs_blocked 0
`;

function snap(at: number, running: number, steal: number, total: number, load1 = 2): HostSnapshot {
  return { at, load1, running, ncpu: 2, ticks: { busy: total - steal, idle: 0, steal, total } };
}

afterEach(() => {
  while (hostSampler.leaseCount > 0) hostSampler.release();
});

describe('host conditions', () => {
  it('parses /proc/stat: busy, idle (+iowait), steal and procs_running', () => {
    const p = parseProcStat(STAT);
    expect(p.ticks).toEqual({ busy: 100 + 5 + 50 + 1 + 4, idle: 820, steal: 30, total: 160 + 820 + 30 });
    expect(p.running).toBe(5);
    expect(parseProcStat('garbage\n')).toEqual({ ticks: null, running: null });
  });

  it('averages the run queue inside an interval and takes steal from the bracketing tick deltas', () => {
    const s = [snap(0, 1, 0, 1000), snap(1000, 3, 10, 1200), snap(2000, 5, 30, 1400), snap(3000, 1, 50, 1600)];
    const c = conditionsFrom(s, 500, 2500);
    expect(c.samples).toBe(2);
    expect(c.runnable).toBe(4);
    expect(c.contention).toBe(2);
    // bracket: before = t0 (steal 0 / total 1000), after = t3000 (50 / 1600) → 50/600
    expect(c.stealPct).toBeCloseTo((50 / 600) * 100, 2);
    expect(c.ncpu).toBe(2);
  });

  it('falls back to the nearest 1-minute load when no instant reading falls inside a short task', () => {
    const s = [snap(0, 9, 0, 1000, 1.5), snap(5000, 9, 0, 2000, 3)];
    const c = conditionsFrom(s, 1000, 1200);
    expect(c.samples).toBe(0);
    expect(c.runnable).toBe(3);
    expect(c.contention).toBe(1.5);
  });

  it('contention is max(1, runnable / ncpu); bands quiet ≤ 1.1 < busy ≤ 2 < overloaded', () => {
    expect(contentionOf(1, 2)).toBe(1);
    expect(contentionOf(5, 2)).toBe(2.5);
    expect(contentionOf(null, 2)).toBeNull();
    expect([loadBand(1), loadBand(1.5), loadBand(2.5), loadBand(null)]).toEqual(['quiet', 'busy', 'overloaded', 'unknown']);
  });

  it('reads this host (figures null only where /proc lacks them)', () => {
    const h = readHost();
    expect(h.ncpu).toBeGreaterThanOrEqual(1);
    if (existsSync('/proc/loadavg')) expect(h.load1).not.toBeNull();
    if (existsSync('/proc/stat')) expect(h.ticks!.total).toBeGreaterThan(0);
  });

  it('the sampler ring is bounded and a lease that is never released lapses', async () => {
    for (let i = 0; i < RING_MAX + 50; i++) hostSampler.push(snap(i, 1, 0, i + 1));
    expect(hostSampler.snapshots().length).toBe(RING_MAX);
    expect(hostSampler.snapshots()[0]!.at).toBe(50);
    hostSampler.acquire(1);
    expect(hostSampler.active).toBe(true);
    await new Promise((r) => setTimeout(r, 1200));
    expect(hostSampler.leaseCount).toBe(0);
    expect(hostSampler.active).toBe(false);
    hostSampler.acquire();
    hostSampler.release();
    expect(hostSampler.active).toBe(false);
    expect(LEASE_TTL_MS).toBeGreaterThan(0);
  });

  it('probes for a hardware PMU and falls back cleanly without one', () => {
    const none = tempDir('mc-pmu-');
    mkdirSync(join(none, 'software'));
    mkdirSync(join(none, 'tracepoint'));
    const p = probeInstructionCounters(none);
    expect(p.available).toBe(false);
    expect(p.reason).toMatch(/no hardware PMU exposed \(event sources: software, tracepoint\)/);
    const withCpu = tempDir('mc-pmu-');
    mkdirSync(join(withCpu, 'cpu'));
    expect(probeInstructionCounters(withCpu).available).toBe(true);
    expect(probeInstructionCounters(join(none, 'missing')).available).toBe(false);
    // this host: whatever it has, the probe answers without throwing
    expect(typeof probeInstructionCounters().reason).toBe('string');
  });
});
