/**
 * bench/scale: the spec's "1k concurrent executions" (MC-PERF-751, issue 11), measured through the
 * HTTP API of a real `maestro serve` on loopback with the real sandbox.
 *   steady  bring --steady (1,000) `sleep 120` executions to running at once, then publish --extra
 *           (200) more at --rate (10/s) while they run: their publish→start p50/p95/p99, CPU % of all
 *           maestro processes, peak summed RSS, process count.
 *   burst   publish --burst (1,000) `sleep 1` at once: time until all started (starts/s),
 *           publish→start p50/p95/p99, succeeded, denied and why.
 *   plans   --plans (1,000) concurrent POST /api/plan (a policy decision each, nothing runs): denied by
 *           the PDP budget (must be 0), evalMs, and /healthz latency meanwhile.
 *   drain   queue --drain (10,000) `true` executions in wait mode ("queue": true) against a quota of
 *           --drain-quota, and report the steady drain rate.
 * publish→start = the task's startedAt (its sandbox running) minus the execution's publishedAt, both
 * server-side. Every wait has a deadline; on exit everything is cancelled and every process the bench
 * started (server, workers, sandboxes) is stopped.
 * Usage: node dist/bench/scale/run.js [--phases plans,steady,burst,drain] [--steady 1000] [--extra 200]
 *          [--rate 10] [--burst 1000] [--drain 10000] [--drain-quota 50] [--workers 2000] [--sandbox bwrap|none]
 *          [--out docs/evidence/perf-1k/results.json] [--server-prof DIR (V8 CPU profile of the server)]
 *          [--steady-sleep 120 (longer when publishing 1,000 takes longer than that on a loaded host)]
 *          [--database-url postgres://…] [--external-workers N --worker-concurrency C]
 * --database-url runs everything (CLI set-up, server, workers) on that PostgreSQL database instead of
 * the home's SQLite file. --external-workers N starts `maestro serve --workers 0` and N separate
 * `maestro worker --concurrency C` processes that claim from the store (as on several hosts).
 * bench/scale/compare.ts runs this once per backend and worker count and prints them side by side.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Client, cliAt, type ExecutionView, type Published, pooled } from './client.js';
import { descendantsOf, ProcWatch, type Sample } from './procs.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = join(ROOT, 'bin', 'run.js');

function opt(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
}
const num = (name: string, dflt: number) => Number(opt(name, String(dflt)));

function pct(xs: number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
const ms3 = (xs: number[]) => ({ p50: pct(xs, 50), p95: pct(xs, 95), p99: pct(xs, 99), n: xs.length });

const manifest = (name: string, run: string) =>
  `apiVersion: maestro/v1\nkind: Workflow\nmetadata: { name: ${name} }\nspec:\n  region: US\n  resourceClass: small\n  tasks:\n    - { id: t, uses: shell, run: "${run}", resources: { cpu: 0.1, memoryMB: 64, timeoutSec: 600, expectedSec: 1 } }\n`;

interface Env {
  home: string;
  /** Other processes the bench started (e.g. `maestro worker`), stopped by cleanup. */
  extra: ChildProcess[];
  server: ChildProcess;
  url: string;
  watch: ProcWatch;
  pooled: boolean;
  queueMode: boolean;
  sandbox: string;
}

const cli = (home: string, args: string[]): string => cliAt(BIN, home, args);

/** A tenant with quota and budget high enough that nothing is denied, and a token for it. */
function tenant(home: string, name: string, maxConcurrent: number): string {
  cli(home, ['tenants', 'create', name]);
  cli(home, ['tenants', 'set', name, '--max-concurrent', String(maxConcurrent), '--daily-budget', '1000000']);
  cli(home, ['tenants', 'members', 'set', name, 'root@local', 'admin']);
  return cli(home, ['login', '--tenant', name, '--subject', 'root@local', '--print']);
}

async function startServer(home: string, workers: string): Promise<{ child: ChildProcess; url: string; pooled: boolean }> {
  const help = cli(home, ['serve', '--help']);
  const pooledDesign = help.includes('--workers');
  // --server-prof DIR: the server writes a V8 CPU profile there when it exits (SIGTERM by cleanup).
  const prof = opt('server-prof', '');
  const args = [
    ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${resolve(prof)}`] : []),
    BIN,
    'serve',
    '--port',
    '0',
    '--json',
    ...(pooledDesign ? ['--workers', workers || '2000'] : []),
    ...(help.includes('--max-queue') ? ['--max-queue', '50000'] : []),
  ];
  const child = spawn(process.execPath, args, { env: { ...process.env, MAESTRO_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err = (err + String(d)).slice(-4000)));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`serve did not start: ${err}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /"url":\s*"([^"]+)"/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    });
    child.once('exit', (c) => rej(new Error(`serve exited ${c}: ${err}`)));
  });
  return { child, url, pooled: pooledDesign };
}

/** Sample processes every second until `stop` resolves (bounded by maxSec). */
function sampler(watch: ProcWatch, maxSec: number): { stop(): Promise<Sample[]> } {
  const samples: Sample[] = [watch.sample()];
  let running = true;
  const loop = (async () => {
    for (let i = 0; i < maxSec && running; i++) {
      await sleep(1000);
      samples.push(watch.sample());
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      samples.push(watch.sample());
      return samples;
    },
  };
}

function cpuFigures(samples: Sample[]): { cpuPctOfOneCore: number; cpuPctOfMachine: number; seconds: number } {
  const a = samples[0]!;
  const b = samples.at(-1)!;
  const sec = Math.max(0.001, (b.at - a.at) / 1000);
  const oneCore = (100 * (b.cpuSec - a.cpuSec)) / sec;
  return { cpuPctOfOneCore: round(oneCore), cpuPctOfMachine: round(oneCore / cpus().length), seconds: round(sec) };
}
const round = (x: number) => Math.round(x * 10) / 10;

/** Wait (bounded) until `done` says so; returns false on timeout. */
async function until(deadlineMs: number, everyMs: number, done: () => Promise<boolean>): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (await done()) return true;
    await sleep(everyMs);
  }
  return false;
}

/** publish→start per execution: first task's startedAt (its sandbox running), else the execution's. */
async function startLatencies(
  c: Client,
  ids: string[],
): Promise<{ ms: number[]; views: Array<ExecutionView & { tasks?: Array<{ startedAt: string | null }> }> }> {
  const views = await pooled(ids, 16, (id) =>
    c.get<ExecutionView & { tasks?: Array<{ startedAt: string | null }> }>(`/api/executions/${id}`).catch(() => undefined),
  );
  const ms: number[] = [];
  for (const v of views) {
    const started = v?.tasks?.[0]?.startedAt ?? v?.startedAt;
    if (v && started) ms.push(Date.parse(started) - Date.parse(v.publishedAt));
  }
  return { ms, views: views.filter((v): v is NonNullable<typeof v> => v !== undefined) };
}

function reasons(ps: Array<Pick<Published, 'status' | 'reason' | 'error'>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of ps)
    if (p.status !== 'queued' && p.status !== 'running')
      out[`${p.status}: ${(p.reason ?? p.error ?? '').slice(0, 140)}`] = (out[`${p.status}: ${(p.reason ?? p.error ?? '').slice(0, 140)}`] ?? 0) + 1;
  return out;
}

async function steady(env: Env, c: Client, cExtra: Client, n: number, extra: number, rate: number, sleepSec: number) {
  console.log(`steady: publishing ${n} x sleep ${sleepSec} at once…`);
  const t0 = Date.now();
  const bg = await pooled(Array.from({ length: n }), 64, () => c.publish(manifest('steady-bg', `sleep ${sleepSec}`), { sandbox: env.sandbox }));
  const admitted = bg.filter((p) => p.status === 'queued' || p.status === 'running').length;
  const allRunning = await until(300_000, 2000, async () => (await c.list()).filter((e) => e.status === 'running').length >= admitted);
  const toRunningSec = (Date.now() - t0) / 1000;
  console.log(`steady: ${admitted}/${n} admitted; all running: ${allRunning} after ${toRunningSec.toFixed(1)} s; publishing ${extra} more at ${rate}/s…`);
  const s = sampler(env.watch, 600);
  const extras: Published[] = [];
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < extra; i++) {
    pending.push(cExtra.publish(manifest('steady-extra', `sleep ${sleepSec}`), { sandbox: env.sandbox }).then((p) => void extras.push(p)));
    await sleep(1000 / rate);
  }
  await Promise.all(pending);
  const ids = extras.filter((p) => p.id && p.status !== 'denied').map((p) => p.id);
  await until(120_000, 1000, async () => (await cExtra.list()).filter((e) => ids.includes(e.id) && e.status === 'queued').length === 0);
  const samples = await s.stop();
  const lat = await startLatencies(cExtra, ids);
  return {
    published: n,
    admitted,
    allRunning,
    secondsUntilAllRunning: round(toRunningSec),
    extra: { published: extra, ratePerSec: rate, started: lat.ms.length, publishToStartMs: ms3(lat.ms), notAdmitted: reasons(extras) },
    ...cpuFigures(samples),
    peakRssMiB: round(env.watch.peakRss / 2 ** 20),
    maestroProcessesPeak: env.watch.peakMaestro,
    processesUnderServerPeak: env.watch.peakDescendants,
  };
}

async function burst(env: Env, c: Client, n: number) {
  console.log(`burst: publishing ${n} x sleep 1 at once…`);
  const s = sampler(env.watch, 900);
  const t0 = Date.now();
  const pubs = await pooled(Array.from({ length: n }), 128, () => c.publish(manifest('burst', 'sleep 1'), { sandbox: env.sandbox }));
  const publishSec = (Date.now() - t0) / 1000;
  const ids = pubs.filter((p) => p.id && (p.status === 'queued' || p.status === 'running')).map((p) => p.id);
  const done = await until(
    900_000,
    2000,
    async () => (await c.list()).filter((e) => ids.includes(e.id) && (e.status === 'queued' || e.status === 'running')).length === 0,
  );
  const samples = await s.stop();
  const lat = await startLatencies(c, ids);
  const starts = lat.views.map((v) => Date.parse(v.tasks?.[0]?.startedAt ?? v.startedAt ?? '')).filter(Number.isFinite);
  const firstPub = Math.min(...pubs.filter((p) => p.publishedAt).map((p) => Date.parse(p.publishedAt)));
  const allStartedSec = starts.length ? (Math.max(...starts) - firstPub) / 1000 : null;
  const status: Record<string, number> = {};
  for (const v of lat.views) status[v.status] = (status[v.status] ?? 0) + 1;
  return {
    published: n,
    publishSeconds: round(publishSec),
    finishedInTime: done,
    started: starts.length,
    secondsUntilAllStarted: allStartedSec === null ? null : round(allStartedSec),
    startsPerSec: allStartedSec ? round(starts.length / allStartedSec) : null,
    publishToStartMs: ms3(lat.ms),
    final: status,
    notAdmitted: reasons(pubs),
    deniedByPdpBudget: pubs.filter((p) => /time budget|cut-off/.test(p.reason ?? '')).length,
    ...cpuFigures(samples),
    ...perExecution(samples, n),
    peakRssMiB: round(env.watch.peakRss / 2 ** 20),
    maestroProcessesPeak: env.watch.peakMaestro,
  };
}

/**
 * CPU per execution over the sampled period: the maestro processes', and their sandboxes' (the CPU
 * of the children they reaped: launcher, bwrap, shells, the task). Together they bound the start
 * rate of this machine: cores × 1000 / (maestro + sandbox ms) executions per second.
 */
function perExecution(samples: Sample[], n: number): { maestroCpuMsPerExecution: number; sandboxCpuMsPerExecution: number; machineBoundPerSec: number } {
  const a = samples[0]!;
  const b = samples.at(-1)!;
  const maestro = ((b.cpuSec - a.cpuSec) * 1000) / n;
  const sandbox = ((b.childCpuSec - a.childCpuSec) * 1000) / n;
  return {
    maestroCpuMsPerExecution: round(maestro),
    sandboxCpuMsPerExecution: round(sandbox),
    machineBoundPerSec: round((cpus().length * 1000) / Math.max(0.001, maestro + sandbox)),
  };
}

/** --plans concurrent POST /api/plan (plan + policy decision, no execution) while /healthz is probed. */
async function plans(env: Env, c: Client, n: number) {
  console.log(`plans: ${n} concurrent decisions through POST /api/plan…`);
  const health: number[] = [];
  let running = true;
  const probe = (async () => {
    for (let i = 0; i < 10_000 && running; i++) {
      const t0 = performance.now();
      await fetch(`${env.url}/healthz`).then((r) => r.text());
      health.push(performance.now() - t0);
      await sleep(20);
    }
  })();
  const t0 = Date.now();
  const rs = await pooled(Array.from({ length: n }), n, async () => {
    const res = await fetch(`${env.url}/api/plan`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ manifest: manifest('plans', 'true') }),
      signal: AbortSignal.timeout(300_000),
    });
    return {
      status: res.status,
      body: (await res.json().catch(() => ({}))) as { allow?: boolean; policy?: { evalMs?: number; reasons?: Array<{ message: string }> } },
    };
  });
  running = false;
  await probe;
  const denied = rs.filter((r) => r.body.allow === false);
  return {
    decisions: n,
    seconds: round((Date.now() - t0) / 1000),
    http200: rs.filter((r) => r.status === 200).length,
    allowed: rs.filter((r) => r.body.allow === true).length,
    denied: denied.length,
    deniedByPdpBudget: denied.filter((r) => (r.body.policy?.reasons ?? []).some((x) => /time budget|cut-off/.test(x.message))).length,
    evalMs: ms3(rs.map((r) => r.body.policy?.evalMs ?? NaN).filter(Number.isFinite)),
    healthzMs: ms3(health),
    healthzMaxMs: health.length ? round(Math.max(...health)) : null,
  };
}

async function drain(env: Env, c: Client, metrics: Client, n: number, quota: number, startWorkers: (() => ChildProcess[]) | null) {
  if (!env.queueMode) return { skipped: 'wait mode ("queue": true) is not available on this server yet' };
  console.log(`drain: queueing ${n} in wait mode against a quota of ${quota}${startWorkers ? ' (no worker yet: the queue fills first)' : ''}…`);
  const t0 = Date.now();
  const pubs = await pooled(Array.from({ length: n }), 64, () => c.publish(manifest('drain', 'true'), { sandbox: env.sandbox, queue: true }));
  const publishSec = (Date.now() - t0) / 1000;
  const accepted = pubs.filter((p) => p.status === 'queued' || p.status === 'running').length;
  if (startWorkers) {
    const started = startWorkers();
    console.log(`drain: ${accepted} queued; started ${started.length} x maestro worker --concurrency ${quota}`);
    env.extra.push(...started);
  }
  // Drain progress from /metrics (mc_executions{tenant="scale-drain",state=…}): the list shows 1,000 at most.
  const finished = async () => {
    const text = await metrics.text('/metrics');
    let sum = 0;
    for (const m of text.matchAll(/^mc_executions\{([^}]*)\} (\d+)/gm))
      if (/tenant="scale-drain"/.test(m[1]!) && /state="(succeeded|failed|cancelled)"/.test(m[1]!)) sum += Number(m[2]);
    return sum;
  };
  const points: Array<{ t: number; done: number }> = [];
  await until(3_600_000, 2000, async () => {
    const d = await finished();
    points.push({ t: Date.now(), done: d });
    return d >= accepted;
  });
  const lo = points.find((p) => p.done >= accepted * 0.1);
  const hi = points.find((p) => p.done >= accepted * 0.9);
  const rate = lo && hi && hi.t > lo.t ? (hi.done - lo.done) / ((hi.t - lo.t) / 1000) : null;
  return {
    queued: n,
    accepted,
    publishSeconds: round(publishSec),
    finished: points.at(-1)?.done ?? 0,
    drainPerSec10to90: rate === null ? null : round(rate),
    notAdmitted: reasons(pubs),
  };
}

/** `maestro worker` processes (--external-workers N): claim from the shared store, as on other hosts. */
function startExternalWorkers(home: string, n: number, concurrency: number): ChildProcess[] {
  return Array.from({ length: n }, () =>
    spawn(process.execPath, [BIN, 'worker', '--concurrency', String(concurrency)], { env: { ...process.env, MAESTRO_HOME: home }, stdio: 'ignore' }),
  );
}

async function main(): Promise<void> {
  const dbUrl = opt('database-url', '');
  // Every CLI call, the server and the workers inherit it.
  if (dbUrl) process.env.MAESTRO_DATABASE_URL = dbUrl;
  const external = num('external-workers', 0);
  const phases = opt('phases', 'plans,steady,burst,drain').split(',');
  const dir = mkdtempSync(join(tmpdir(), 'mc-bench-scale-'));
  const home = join(dir, 'home');
  let env: Env | undefined;
  const out = opt('out', '');
  const result: Record<string, unknown> = {
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memGiB: round(totalmem() / 2 ** 30), node: process.version },
    loadBefore: loadavg().map(round),
    startedAt: new Date().toISOString(),
  };
  try {
    // A CLI without the PostgreSQL backend would ignore the URL and measure SQLite under the wrong name.
    if (dbUrl && !cli(home, ['serve', '--help']).includes('--database-url'))
      throw new Error('--database-url: this build of maestro serve has no PostgreSQL backend (no --database-url flag)');
    cli(home, ['init']);
    const sandbox = opt('sandbox', existsSync('/usr/bin/bwrap') || spawnSync('which', ['bwrap']).status === 0 ? 'bwrap' : 'none');
    // /metrics shows every tenant: it takes a token of an admin of the default tenant (root@local made the home).
    const metricsToken = cli(home, ['login', '--tenant', 'default', '--subject', 'root@local', '--print']);
    const tokens = {
      bg: tenant(home, 'scale-bg', 100_000),
      extra: tenant(home, 'scale-extra', 100_000),
      burst: tenant(home, 'scale-burst', 100_000),
      drain: tenant(home, 'scale-drain', num('drain-quota', 50)),
    };
    if (sandbox === 'none') for (const t of ['scale-bg', 'scale-extra', 'scale-burst', 'scale-drain']) cli(home, ['tenants', 'set', t, '--no-require-sandbox']);
    const srv = await startServer(home, external > 0 ? '0' : opt('workers', ''));
    const openapi = JSON.parse(await (await fetch(`${srv.url}/api/openapi.json`)).text()) as { paths: Record<string, { post?: { requestBody?: unknown } }> };
    const queueMode = JSON.stringify(openapi.paths['/api/executions']?.post ?? {}).includes('"queue"');
    env = { home, extra: [], server: srv.child, url: srv.url, watch: new ProcWatch(home, srv.child.pid!), pooled: srv.pooled, queueMode, sandbox };
    if (external > 0) env.extra.push(...startExternalWorkers(home, external, num('worker-concurrency', 2000)));
    const started = (): Env => env!;
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        console.error(`bench/scale: ${sig}: stopping everything it started`);
        void cleanup(started()).finally(() => {
          rmSync(dir, { recursive: true, force: true });
          process.exit(130);
        });
      });
    }
    result.design = {
      workerPool: srv.pooled,
      waitMode: queueMode,
      sandbox,
      store: dbUrl ? 'postgresql' : 'sqlite',
      workers: external > 0 ? `${external} x maestro worker --concurrency ${num('worker-concurrency', 2000)}` : 'embedded in serve',
    };
    // Without the worker pool every execution is its own ~76 MiB node process: cap the counts so the
    // bench cannot exhaust the machine's memory, and say so.
    const cap = srv.pooled ? Infinity : num('unpooled-cap', 40);
    const n = (name: string, dflt: number) => Math.min(num(name, dflt), cap);
    if (!srv.pooled) console.log(`NOTE: this server has no worker pool (no serve --workers): counts capped at ${cap} per phase`);
    const mk = (t: string) => new Client(srv.url, t);
    if (phases.includes('plans')) {
      result.plans = await plans(env, mk(tokens.burst), num('plans', 1000));
      console.log(JSON.stringify(result.plans));
    }
    if (phases.includes('steady')) {
      result.steady = await steady(env, mk(tokens.bg), mk(tokens.extra), n('steady', 1000), n('extra', 200), num('rate', 10), num('steady-sleep', 120));
      console.log(JSON.stringify(result.steady));
      await mk(tokens.bg).post('/api/executions/cancel');
      await mk(tokens.extra).post('/api/executions/cancel');
      await until(120_000, 2000, async () => (await mk(tokens.bg).list()).every((e) => e.status !== 'running' && e.status !== 'queued'));
    }
    if (phases.includes('burst')) {
      result.burst = await burst(env, mk(tokens.burst), n('burst', 1000));
      console.log(JSON.stringify(result.burst));
    }
    result.policyCache = parseCache(await mk(metricsToken).text('/metrics'));
    if (phases.includes('drain')) {
      // With the worker pool: a second server with no embedded pool takes the publishes, so the queue
      // fills first; then one `maestro worker` drains it, and the drain rate is its own.
      let drainEnv = env;
      let workers: (() => ChildProcess[]) | null = null;
      if (srv.pooled) {
        await cleanup(env);
        const s2 = await startServer(home, '0');
        drainEnv = env = { ...env, extra: [], server: s2.child, url: s2.url, watch: new ProcWatch(home, s2.child.pid!) };
        const quota = num('drain-quota', 50);
        // --external-workers N: N pools share the drain (one by default).
        workers = () => startExternalWorkers(home, Math.max(1, external), quota);
      }
      result.drain = await drain(
        drainEnv,
        new Client(drainEnv.url, tokens.drain),
        new Client(drainEnv.url, metricsToken),
        srv.pooled ? num('drain', 10_000) : Math.min(num('drain', 10_000), cap),
        num('drain-quota', 50),
        workers,
      );
      console.log(JSON.stringify(result.drain));
    }
  } finally {
    result.loadAfter = loadavg().map(round);
    if (env) await cleanup(env);
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(result, null, 2));
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    const prev = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as unknown[]) : [];
    writeFileSync(out, `${JSON.stringify([...(Array.isArray(prev) ? prev : []), result], null, 2)}\n`);
  }
}

function parseCache(metrics: string): { hits: number; misses: number; hitRate: number | null } {
  const get = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(metrics)?.[1] ?? NaN);
  const hits = get('mc_policy_cache_hits_total');
  const misses = get('mc_policy_cache_misses_total');
  return { hits, misses, hitRate: hits + misses > 0 ? Math.round((hits / (hits + misses)) * 1000) / 1000 : null };
}

/** Cancel what is left, stop the server, then kill anything it started that is still alive. */
async function cleanup(env: Env): Promise<void> {
  const pids = new Set([...descendantsOf(env.server.pid!), ...env.extra.flatMap((w) => (w.pid ? [w.pid, ...descendantsOf(w.pid)] : []))]);
  for (const w of env.extra) w.kill('SIGTERM');
  await until(15_000, 250, async () => env.extra.every((w) => w.exitCode !== null || w.signalCode !== null));
  for (const w of env.extra) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  env.server.kill('SIGTERM');
  await until(15_000, 250, async () => env.server.exitCode !== null || env.server.signalCode !== null);
  if (env.server.exitCode === null && env.server.signalCode === null) env.server.kill('SIGKILL');
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

await main();
