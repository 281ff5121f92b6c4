/**
 * Cost-estimate accuracy benchmark (issues 5 and 18): run the fixtures/cost-bench suite through the
 * real CLI (`maestro run`, sandboxed) in a fresh state home, `--history` times to build history, then
 * once more where each manifest is estimated (from that history), run, and compared with its actual.
 * Then a second pass under a fixed background load: a CPU hog pinned to one core (taskset -c 0),
 * started and stopped by the bench (always killed on exit), measured once more against the SAME
 * history, which was recorded without the hog: history under one load must predict another.
 * Prints both passes with the load averages and the run-queue stretch the estimates were projected to.
 *
 *   npm run bench:cost                      # as-is pass (3 history rounds + 1 measured) + loaded pass
 *   node dist/bench/cost/run.js --history 3 --only cpu,fan --json out.json
 *   node dist/bench/cost/run.js --pass as-is # skip the loaded pass
 *   node dist/bench/cost/run.js --direct     # sandbox primitive only, without `maestro run`
 *   node dist/bench/cost/run.js --keep-home  # keep the temp state home (removed by default)
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createContext } from '../../src/core/context.js';
import type { RecordedActuals } from '../../src/cost/index.js';
import { hostSampler, type Plan, planWith, probeInstructionCounters, recordActuals, resolvePrices } from '../../src/cost/index.js';
import { loadManifest } from '../../src/manifest/index.js';
import type { LoadedManifest } from '../../src/manifest/manifest.types.js';
import { openSession } from '../../src/tenancy/index.js';
import { runDirect } from './direct.js';
import { type BenchRow, renderSummary, summarise } from './summary.js';

let directSeq = 0;

/** --direct: the sandbox primitive without `maestro run` (see direct.ts). */
async function directRun(loaded: LoadedManifest, round: number, file: string): Promise<{ id: string; record: Record<string, unknown>; ms: number }> {
  const t0 = Date.now();
  const id = `ex_bench${String(round)}${String(++directSeq).padStart(6, '0')}${file.slice(0, 2)}`;
  const record = await runDirect(id, loaded);
  return { id, record: record as unknown as Record<string, unknown>, ms: Date.now() - t0 };
}

interface Options {
  direct: boolean;
  history: number;
  only: string[];
  json?: string;
  suite: string;
  pass: 'both' | 'as-is' | 'loaded';
  keepHome: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { direct: false, history: 3, only: [], suite: 'fixtures/cost-bench', pass: 'both', keepHome: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--history') o.history = Number(argv[++i]);
    else if (a === '--pass') {
      const v = argv[++i];
      if (v !== 'both' && v !== 'as-is' && v !== 'loaded') throw new Error(`--pass ${v}: use both, as-is or loaded`);
      o.pass = v;
    } else if (a === '--only') o.only = argv[++i]!.split(',');
    else if (a === '--json') o.json = argv[++i]!;
    else if (a === '--suite') o.suite = argv[++i]!;
    else if (a === '--direct') o.direct = true;
    else if (a === '--keep-home') o.keepHome = true;
  }
  return o;
}

const root = resolve(new URL('../../..', import.meta.url).pathname);

/** Run one manifest through the CLI; returns the execution record written by the runner. */
function runManifest(path: string, env: NodeJS.ProcessEnv): { id: string; record: Record<string, unknown>; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(root, 'bin/run.js'), 'run', path, '--json'], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Date.now() - t0;
  let out: { id?: string };
  try {
    out = JSON.parse(r.stdout) as { id?: string };
  } catch {
    throw new Error(`maestro run ${path} printed no JSON (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
  if (!out.id) throw new Error(`maestro run ${path}: no execution id in ${r.stdout.slice(0, 200)}`);
  const record = JSON.parse(readFileSync(join(env.MAESTRO_HOME!, 'executions', out.id, 'execution.json'), 'utf8')) as Record<string, unknown>;
  if (r.status !== 0) process.stderr.write(`  warning: ${path} exited ${r.status} (${String(record.status)})\n`);
  return { id: out.id, record, ms };
}

/** The background load: one CPU-bound process pinned to core 0; exits by itself if the bench dies. */
const HOG_MAX_MS = 3 * 3_600_000;
let hog: ChildProcess | undefined;

function startHog(): string {
  const code = `const p=${process.pid},end=Date.now()+${HOG_MAX_MS};for(;;){const t=Date.now();while(Date.now()-t<200){}try{process.kill(p,0)}catch{process.exit(0)}if(Date.now()>end)process.exit(0)}`;
  const pinned = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  hog = pinned ? spawn('taskset', ['-c', '0', process.execPath, '-e', code], { stdio: 'ignore' }) : spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  return pinned ? `CPU hog pid ${hog.pid} pinned to core 0 (taskset -c 0)` : `CPU hog pid ${hog.pid} (taskset unavailable: not pinned)`;
}

function stopHog(): void {
  if (hog && hog.exitCode === null && hog.signalCode === null) hog.kill('SIGKILL');
  hog = undefined;
}

/** The temp state home, removed on a signal too (unless --keep-home). */
let homeToRemove: string | undefined;

process.on('exit', stopHog);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    stopHog();
    if (homeToRemove) rmSync(homeToRemove, { recursive: true, force: true });
    process.exit(130);
  });
}

function loadavg(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}

interface PassResult {
  name: string;
  rows: BenchRow[];
  seconds: number;
  loadBefore: string;
  loadAfter: string;
  contention: number[];
  note: string;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const home = mkdtempSync(join(tmpdir(), 'mc-cost-bench-'));
  if (!opts.keepHome) homeToRemove = home;
  const env: NodeJS.ProcessEnv = { ...process.env, MAESTRO_HOME: home, NO_COLOR: '1' };
  delete env.MAESTRO_TOKEN;
  const ctx = createContext({ env, home });
  const session = await openSession(ctx);
  const prices = resolvePrices(ctx);
  const dir = resolve(root, opts.suite);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .filter((f) => opts.only.length === 0 || opts.only.some((o) => f.includes(o)))
    .sort();
  process.stderr.write(
    `cost bench${opts.direct ? ' (--direct: sandbox primitive, no scheduler)' : ''}: ${files.length} manifests, ${opts.history} history round(s) + 1 measured, state home ${home}\n`,
  );
  hostSampler.acquire();
  const counters = probeInstructionCounters();
  const passes: PassResult[] = [];
  const runRound = async (round: number, measured: boolean, rows: BenchRow[], contention: number[]) => {
    for (const f of files) {
      const path = join(dir, f);
      const loaded = await loadManifest(path, ctx);
      const plan: Plan = planWith(session.store, session.identity.tenantId, loaded, prices);
      const run = opts.direct ? await directRun(loaded, round, f) : runManifest(path, env);
      const actual: RecordedActuals = recordActuals(session, run.record as never, { plan, tenantId: session.identity.tenantId });
      process.stderr.write(
        `  round ${round + 1}${measured ? ' (measured)' : ''} ${f}: est ${plan.estimatedCostMicros} µ$, actual ${actual.actualCostMicros} µ$, drift ${actual.driftPct ?? '-'}%, stretch ${plan.load.contentionNow ?? '-'} (${run.ms} ms)\n`,
      );
      if (measured) {
        rows.push({ manifest: f, executionId: run.id, status: String(run.record.status), plan, actual });
        if (plan.load.contentionNow !== null) contention.push(plan.load.contentionNow);
      }
    }
  };
  // Pass 1: the machine as it is; history rounds, then the measured round.
  {
    const t0 = Date.now();
    const loadBefore = loadavg();
    const rows: BenchRow[] = [];
    const contention: number[] = [];
    for (let round = 0; round < opts.history; round++) await runRound(round, false, [], []);
    if (opts.pass !== 'loaded') await runRound(opts.history, true, rows, contention);
    if (opts.pass !== 'loaded')
      passes.push({
        name: 'as-is',
        rows,
        seconds: Math.round((Date.now() - t0) / 1000),
        loadBefore,
        loadAfter: loadavg(),
        contention,
        note: 'the machine as it is (no added load)',
      });
  }
  // Pass 2: a fixed background load; measured against the history recorded without it.
  if (opts.pass !== 'as-is') {
    const note = startHog();
    process.stderr.write(`loaded pass: ${note}; waiting 20 s for the load to settle\n`);
    await new Promise((r) => setTimeout(r, 20_000));
    const t0 = Date.now();
    const loadBefore = loadavg();
    const rows: BenchRow[] = [];
    const contention: number[] = [];
    try {
      await runRound(opts.history + 1, true, rows, contention);
    } finally {
      const loadAfter = loadavg();
      stopHog();
      passes.push({
        name: 'loaded',
        rows,
        seconds: Math.round((Date.now() - t0) / 1000),
        loadBefore,
        loadAfter,
        contention,
        note: `${note}; history recorded without it`,
      });
    }
  }
  hostSampler.release();
  const out: Record<string, unknown> = { instructionCounters: counters, passes: [] as unknown[] };
  for (const p of passes) {
    const summary = summarise(p.rows);
    const c = [...p.contention].sort((a, b) => a - b);
    process.stdout.write(`\n## pass: ${p.name} (${p.note})\n`);
    process.stdout.write(
      `load average (1/5/15 min) before ${p.loadBefore}, after ${p.loadAfter}; run-queue stretch at plan time: min ${c[0] ?? '-'}, median ${c[Math.floor(c.length / 2)] ?? '-'}, max ${c[c.length - 1] ?? '-'}\n`,
    );
    process.stdout.write(renderSummary(summary, { files: files.length, history: opts.history, seconds: p.seconds, prices: prices.digest }));
    (out.passes as unknown[]).push({ name: p.name, note: p.note, loadBefore: p.loadBefore, loadAfter: p.loadAfter, contention: c, summary });
  }
  process.stdout.write(`\ninstruction counters: ${counters.available ? 'available' : 'none'} (${counters.reason})\n`);
  if (opts.json) writeFileSync(opts.json, JSON.stringify(out, null, 2));
  session.close();
  // The state home holds every run's outputs (about 1 GB for the full suite): removed unless --keep-home.
  if (opts.keepHome) process.stderr.write(`state home kept: ${home}\n`);
  else rmSync(home, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  stopHog();
  process.stderr.write(`cost bench failed: ${(err as Error).message}\n`);
  process.exit(1);
});
