/**
 * bench/scale on both stores, side by side (issue 12): runs bench/scale/run.js once per configuration,
 * one after another in the same session, and prints their figures in one table. PostgreSQL runs get a
 * fresh database each on one throwaway cluster started here (initdb; stopped and removed at the end),
 * and the cluster's own CPU time is printed beside maestro's.
 * Usage: node dist/bench/scale/compare.js [--configs sqlite,sqlite:1,pg:1,pg:2] [--phases burst]
 *          [--burst 1000] [--drain 2000] [--worker-concurrency 2000] [--out docs/evidence/pg-scale.json]
 *   sqlite      SQLite, the pool embedded in `maestro serve` (issue 11's design)
 *   sqlite:N    SQLite, `serve --workers 0` and N `maestro worker` processes
 *   pg:N        PostgreSQL, `serve --workers 0` and N `maestro worker` processes
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchCluster, startBenchCluster } from './pg-cluster.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const RUN = join(HERE, 'run.js');
const MAX_CONFIGS = 8;

function opt(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
}

interface Config {
  label: string;
  store: 'sqlite' | 'pg';
  workers: number;
}

function parseConfigs(spec: string): Config[] {
  const out = spec.split(',').map((c) => {
    const m = /^(sqlite|pg)(?::([1-9]\d?))?$/.exec(c.trim());
    if (!m) throw new Error(`--configs: "${c}" is not sqlite, sqlite:N or pg:N (N = 1..99)`);
    const store = m[1] as Config['store'];
    const workers = m[2] ? Number(m[2]) : 0;
    if (store === 'pg' && workers === 0) throw new Error(`--configs: "${c}": PostgreSQL runs with external workers, write pg:N`);
    return { label: c.trim(), store, workers };
  });
  if (out.length === 0 || out.length > MAX_CONFIGS) throw new Error(`--configs: 1..${MAX_CONFIGS} configurations`);
  return out;
}

/** SIGINT/SIGTERM: passed to the running configuration (it stops what it started); no further ones run. */
const interrupt: { stopping: boolean; child?: ChildProcess } = { stopping: false };
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => {
    interrupt.stopping = true;
    interrupt.child?.kill(sig);
  });

/** One bench/scale run as a child process (its output streamed through); resolves with its result. */
function runOnce(args: string[], out: string): Promise<Record<string, unknown>> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [RUN, ...args, '--out', out], { stdio: ['ignore', 'inherit', 'inherit'] });
    interrupt.child = child;
    child.once('exit', (code) => {
      interrupt.child = undefined;
      if (code !== 0) return rej(new Error(`bench/scale/run.js ${args.join(' ')}: exit ${code}`));
      const all = JSON.parse(readFileSync(out, 'utf8')) as Array<Record<string, unknown>>;
      res(all.at(-1)!);
    });
  });
}

type Row = Record<string, string | number | null>;
const round = (x: number) => Math.round(x * 10) / 10;

function figures(label: string, r: Record<string, unknown>, pgCpuSec: number | null): Row {
  const b = (r.burst ?? {}) as Record<string, unknown> & { publishToStartMs?: Record<string, number | null>; final?: Record<string, number> };
  const d = (r.drain ?? {}) as Record<string, unknown>;
  return {
    config: label,
    'burst started/s': (b.startsPerSec as number) ?? null,
    'p50 ms': b.publishToStartMs?.p50 ?? null,
    'p95 ms': b.publishToStartMs?.p95 ?? null,
    'p99 ms': b.publishToStartMs?.p99 ?? null,
    succeeded: b.final?.succeeded ?? null,
    'maestro CPU % (1 core)': (b.cpuPctOfOneCore as number) ?? null,
    'peak RSS MiB': (b.peakRssMiB as number) ?? null,
    'postgres CPU s': pgCpuSec === null ? null : round(pgCpuSec),
    'drain/s': (d.drainPerSec10to90 as number) ?? null,
    load: (r.loadBefore as number[] | undefined)?.join(' ') ?? null,
  };
}

function table(rows: Row[]): string {
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) => (v === null || v === undefined ? '—' : String(v));
  const w = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => `| ${vals.map((v, i) => v.padEnd(w[i]!)).join(' | ')} |`;
  return [line(cols), line(w.map((n) => '-'.repeat(n))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}

async function main(): Promise<void> {
  const configs = parseConfigs(opt('configs', 'sqlite,sqlite:1,pg:1,pg:2'));
  const phases = opt('phases', 'burst');
  const pass = ['--phases', phases, '--burst', opt('burst', '1000'), '--drain', opt('drain', '2000'), '--drain-quota', opt('drain-quota', '50')];
  const tmp = mkdtempSync(join(tmpdir(), 'mc-bench-compare-'));
  let cluster: BenchCluster | undefined;
  const rows: Row[] = [];
  const raw: Record<string, unknown> = {};
  try {
    if (configs.some((c) => c.store === 'pg')) cluster = await startBenchCluster();
    for (const [i, c] of configs.entries()) {
      if (interrupt.stopping) break;
      const args = [...pass];
      if (c.workers > 0) args.push('--external-workers', String(c.workers), '--worker-concurrency', opt('worker-concurrency', '2000'));
      if (c.store === 'pg') {
        cluster!.createDatabase(`scale${i}`);
        args.push('--database-url', cluster!.url(`scale${i}`));
      }
      console.log(`\n== ${c.label}: node dist/bench/scale/run.js ${args.join(' ')}  (load ${loadavg().map(round).join(' ')})`);
      const cpu0 = cluster && c.store === 'pg' ? cluster.cpuSec() : null;
      try {
        const r = await runOnce(args, join(tmp, `${i}.json`));
        const pgCpu = cpu0 === null ? null : cluster!.cpuSec() - cpu0;
        raw[c.label] = { ...r, postgresCpuSec: pgCpu };
        rows.push(figures(c.label, r, pgCpu));
      } catch (e) {
        // One failed configuration does not lose the others' figures.
        raw[c.label] = { error: (e as Error).message };
        rows.push(figures(`${c.label} (failed)`, {}, null));
      }
    }
  } finally {
    cluster?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`\n${table(rows)}`);
  for (const [label, r] of Object.entries(raw)) if ((r as { error?: string }).error) console.log(`${label}: ${(r as { error: string }).error}`);
  const out = opt('out', '');
  if (out) {
    mkdirSync(dirname(resolve(out)), { recursive: true });
    writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), phases, configs: raw }, null, 2)}\n`);
  }
}

await main();
if (interrupt.stopping) process.exitCode = 130;
