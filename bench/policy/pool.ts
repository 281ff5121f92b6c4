/**
 * bench/policy/pool: in-process evaluation against the worker-thread pool (ADR 0016), same run, same
 * state home. Figures:
 *   first   the first decision of a process (in-process: compile + warm-up on the main thread;
 *           pooled: thread start + compile on the thread), wall ms;
 *   warm    one decision at a time, p50/p95 of the whole decide() call and of evalMs;
 *   burst   --burst concurrent decisions: total time, the cache hit rate, and the event loop's
 *           longest stall meanwhile (what a server's /healthz would wait).
 * Usage: node dist/bench/policy/pool.js [--samples 300] [--burst 1000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createContext } from '../../src/core/context.js';
import { acquirePolicyPool, decide, type PolicyInput, policyCacheStats, releasePolicyPool } from '../../src/policy/packs/index.js';
import { openSession, type Session } from '../../src/tenancy/index.js';
import { arg, pct, runInput } from './common.js';

function input(s: Session): PolicyInput {
  return runInput(s, { active: ['ex_a'], spentTodayMicros: 1_000_000, estimateMicros: 2_000_000, region: 'US', resourceClass: 'small', memoryMB: 256 });
}

async function mode(s: Session, label: string, samples: number, burst: number): Promise<string> {
  const req = () => decide(s, { action: 'run', input: input(s), record: false });
  const t0 = performance.now();
  const first = await req();
  const firstMs = performance.now() - t0;
  const whole: number[] = [];
  const evalMs: number[] = [];
  for (let i = 0; i < samples; i++) {
    const a = performance.now();
    const d = await req();
    whole.push(performance.now() - a);
    evalMs.push(d.evalMs);
  }
  // The longest gap between ticks of a 5 ms timer: how long the event loop could not serve anything else.
  let last = performance.now();
  let stall = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 5);
  const c0 = policyCacheStats();
  const b0 = performance.now();
  const ds = await Promise.all(Array.from({ length: burst }, req));
  const burstMs = performance.now() - b0;
  await new Promise((r) => setTimeout(r, 20));
  clearInterval(tick);
  const c1 = policyCacheStats();
  const denied = ds.filter((d) => !d.allow).length;
  const hit = (c1.hits - c0.hits) / Math.max(1, c1.hits - c0.hits + c1.misses - c0.misses);
  return [
    `${label.padEnd(10)} first ${firstMs.toFixed(1)} ms (${first.outcome})`,
    `  warm decide p50 ${pct(whole, 50).toFixed(2)} ms p95 ${pct(whole, 95).toFixed(2)} ms; evalMs p50 ${pct(evalMs, 50).toFixed(2)} p95 ${pct(evalMs, 95).toFixed(2)}`,
    `  burst of ${burst}: ${burstMs.toFixed(0)} ms, ${denied} denied, cache hit rate ${(hit * 100).toFixed(1)}%, longest event-loop stall ${stall.toFixed(1)} ms`,
  ].join('\n');
}

async function main(): Promise<void> {
  const samples = arg('samples', 300);
  const burst = arg('burst', 1000);
  const home = mkdtempSync(join(tmpdir(), 'mc-bench-pool-'));
  const s = await openSession(createContext({ env: { MAESTRO_HOME: home, MAESTRO_SUBJECT: 'root@local' } }));
  console.log(
    `bench/policy/pool: six shipped packs; ${cpus().length} cores; load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log(await mode(s, 'in-process', samples, burst));
  acquirePolicyPool({ ...process.env });
  console.log(await mode(s, 'pooled', samples, burst));
  await releasePolicyPool();
  s.close();
  rmSync(home, { recursive: true, force: true });
}

await main();
