/**
 * The cost model shared by estimates and actuals: measured usage priced with one table, in
 * micro-dollars. CPU is billed on measured CPU time (user+sys), memory on peak RSS × wall time,
 * storage on bytes written under /out and /tmp, plus a base fee per task that ran.
 */
import { createHash } from 'node:crypto';
import type { TaskSpec } from '../manifest/manifest.types.js';
import { roundMicros } from './money.js';
import { canonicalJson, type MicroRates } from './prices.js';

/** What the runner measures for one task. */
export interface Usage {
  cpuSec: number;
  peakRssMB: number;
  wallSec: number;
  bytesWritten: number;
}

/** The priced parts of a cost, in (fractional) micro-dollars. */
export interface Components {
  cpuMicros: number;
  memoryMicros: number;
  writeMicros: number;
  baseMicros: number;
}

const GIB = 1024 * 1024 * 1024;

/** GB-seconds of memory for a usage: peak RSS (MB / 1024) × wall seconds. */
export function gbSeconds(peakRssMB: number, wallSec: number): number {
  return (Math.max(0, peakRssMB) / 1024) * Math.max(0, wallSec);
}

/** Price the three quantities plus the base fee. */
export function priceQuantities(rates: MicroRates, q: { cpuSec: number; gbSec: number; bytesWritten: number }): Components {
  return {
    cpuMicros: Math.max(0, q.cpuSec) * rates.vcpuSecond,
    memoryMicros: Math.max(0, q.gbSec) * rates.gbSecond,
    writeMicros: (Math.max(0, q.bytesWritten) / GIB) * rates.gbWritten,
    baseMicros: rates.baseFee,
  };
}

/** Price a measured usage. */
export function priceUsage(rates: MicroRates, u: Usage): Components {
  return priceQuantities(rates, { cpuSec: u.cpuSec, gbSec: gbSeconds(u.peakRssMB, u.wallSec), bytesWritten: u.bytesWritten });
}

/** The integer micro-dollar total of components, times an optional factor. Rounded once. */
export function totalMicros(c: Components, factor = 1): number {
  return roundMicros((c.cpuMicros + c.memoryMicros + c.writeMicros + c.baseMicros) * factor);
}

/**
 * The task digest that matches history: sha256 over the canonical JSON of command, uses and resources.
 * @example taskDigest(task) // 'sha256:9f2c…'
 */
export function taskDigest(task: Pick<TaskSpec, 'run' | 'uses' | 'resources'>): string {
  const r = task.resources;
  const body = canonicalJson({
    run: task.run,
    uses: task.uses,
    resources: { cpu: r.cpu, memoryMB: r.memoryMB, timeoutSec: r.timeoutSec, tmpMB: r.tmpMB, pids: r.pids, expectedSec: r.expectedSec ?? null },
  });
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}
