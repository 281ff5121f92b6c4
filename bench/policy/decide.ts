/**
 * bench/policy: decision time for the full default pack set (all six shipped packs), one decision per
 * sample, against a real state home (SQLite, signed packs). Figures:
 *   warm   decide() in a long-lived process (packs compiled and cached): eval (the PDP latency the
 *          time budget applies to) and the whole call (load + verify from cache + eval + record);
 *   cold   a fresh process per decision (what one `maestro run` pays): eval and load;
 *   baseline  one evaluation of a one-rule policy with the same engine, measured in the same run.
 * Usage: node dist/bench/policy/decide.js [--samples 400] [--cold 15]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createContext } from '../../src/core/context.js';
import { decide, type PolicyInput } from '../../src/policy/packs/index.js';
import { compile, evaluate } from '../../src/policy/rego/index.js';
import { openSession, type Session } from '../../src/tenancy/index.js';
import { arg, pct, runInput } from './common.js';

function input(s: Session): PolicyInput {
  return runInput(s, {
    active: ['ex_a', 'ex_b'],
    spentTodayMicros: 12_340_000,
    estimateMicros: 3_270_000,
    region: 'EU',
    resourceClass: 'medium',
    memoryMB: 512,
  });
}

async function session(home: string): Promise<Session> {
  return openSession(createContext({ env: { ...process.env, MAESTRO_HOME: home, MAESTRO_SUBJECT: 'bench@local' } }));
}

/** Child mode: one decision in a fresh process; prints {evalMs, loadMs, outcome}. */
async function child(home: string): Promise<void> {
  const s = await session(home);
  const d = await decide(s, { action: 'run', input: input(s) });
  process.stdout.write(JSON.stringify({ evalMs: d.evalMs, loadMs: d.loadMs, outcome: d.outcome }));
  s.close();
}

function baseline(samples: number): number[] {
  const p = compile([{ path: 'b.rego', text: 'package b\nimport rego.v1\ndeny contains "no" if input.x == 1\n' }]);
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    evaluate(p, 'data.b.deny', { input: { x: 2 } });
    out.push(performance.now() - t);
  }
  return out;
}

function row(name: string, xs: number[], base?: number): string {
  const p50 = pct(xs, 50),
    p95 = pct(xs, 95),
    p99 = pct(xs, 99);
  return `| ${name} | ${xs.length} | ${p50.toFixed(3)} | ${p95.toFixed(3)} | ${p99.toFixed(3)} | ${base ? `${(p95 / base).toFixed(1)}×` : '-'} |`;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3]!);
  const samples = arg('samples', 400);
  const coldRuns = arg('cold', 15);
  const home = join(mkdtempSync(join(tmpdir(), 'mc-bench-policy-')), 'home');
  const s = await session(home);
  const first = await decide(s, { action: 'run', input: input(s) }); // signs the shipped packs (first use)
  for (let i = 0; i < 30; i++) await decide(s, { action: 'run', input: input(s), record: false }); // warm-up
  const evalMs: number[] = [];
  const wholeMs: number[] = [];
  const cpuMs: number[] = [];
  const outcomes = new Set<string>();
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    const d = await decide(s, { action: 'run', input: input(s) });
    wholeMs.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpuMs.push((used.user + used.system) / 1000);
    evalMs.push(d.evalMs);
    outcomes.add(d.outcome);
  }
  const base = baseline(samples);
  const coldEval: number[] = [];
  const coldLoad: number[] = [];
  const self = fileURLToPath(import.meta.url);
  for (let i = 0; i < coldRuns; i++) {
    const r = spawnSync(process.execPath, [self, '--child', home], { encoding: 'utf8' });
    const j = JSON.parse(r.stdout) as { evalMs: number; loadMs: number };
    coldEval.push(j.evalMs);
    coldLoad.push(j.loadMs);
  }
  s.close();
  const b95 = pct(base, 95);
  console.log(
    `policy decision bench: ${first.packs.length} packs (${first.packs.map((p) => p.id).join(', ')}), outcome ${[...outcomes].join('/')}, node ${process.version}`,
  );
  console.log('| measure | samples | p50 ms | p95 ms | p99 ms | p95 / baseline p95 |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  console.log(row('baseline: one-rule policy, one evaluation', base));
  console.log(row('warm decide(): evaluation (PDP latency)', evalMs, b95));
  console.log(row('warm decide(): whole call incl. load, verify (cached), record', wholeMs, b95));
  console.log(row('warm decide(): CPU time of the whole call (user+sys)', cpuMs, b95));
  console.log(row('cold process: evaluation (first decision)', coldEval, b95));
  console.log(row('cold process: load + verify + compile', coldLoad, b95));
  console.log(
    `spec bar: authZ p95 < 15 ms; aim < 2 ms. warm eval p95 = ${pct(evalMs, 95).toFixed(3)} ms; load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} on ${cpus().length} CPUs`,
  );
}

await main();
