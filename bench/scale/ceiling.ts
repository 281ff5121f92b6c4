/**
 * The start-rate ceiling of this machine's sandboxes, without maestro's engine (issue 11's burst):
 * how many `sleep 1` sandboxes per second the machine can bring to running when nothing else runs,
 * measured two ways in the same run, interleaved:
 *   bare:   `bwrap --unshare-all --die-with-parent --ro-bind / / --proc /proc --dev /dev sh -c 'echo; sleep 1'`,
 *           spawned straight from this process (the kernel's part alone: namespaces, mounts, teardown);
 *   engine: runSandboxed, the engine's sandbox layer as pools use it (spawner, task cgroup with limits,
 *           seccomp, launcher, audit), still without store, policy or HTTP.
 * A start counts when the sandbox's first output line arrives. At most `--window` starts are in flight
 * at once (like the pool's start window). For each: starts per second, and the machine's CPU split
 * from /proc/stat over the phase (user, system, idle), with the CPU seconds per start that follow.
 *   node dist/bench/scale/ceiling.js [--n 500] [--window 32] [--rounds 2]
 * The burst's engine figure (bench/scale/run.ts) cannot beat these; their ratio is maestro's cost.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { enableCgroupStock } from '../../src/runner/cgroup.js';
import { runSandboxed } from '../../src/runner/sandbox.js';
import { preferSpawner } from '../../src/runner/spawner.js';

function opt(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const N = opt('n', 500);
const WINDOW = opt('window', 32);
const ROUNDS = opt('rounds', 2);

interface Ticks {
  user: number;
  system: number;
  idle: number;
  total: number;
}
function ticks(): Ticks {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  return { user: user + nice, system: system + irq + softirq, idle: idle + iowait, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

interface Phase {
  phase: string;
  n: number;
  startsPerSec: number;
  seconds: number;
  machine: { userPct: number; systemPct: number; idlePct: number };
  cpuMsPerStart: { user: number; system: number };
}

/** Runs `n` sandboxes with at most WINDOW starting at once; `one` resolves when its sandbox is running. */
async function phase(name: string, n: number, one: (i: number, started: () => void) => Promise<void>): Promise<Phase> {
  const hz = 100; // USER_HZ: /proc/stat counts in 1/100 s on Linux
  const before = ticks();
  const t0 = performance.now();
  let next = 0;
  let lastStart = t0;
  const ends: Array<Promise<void>> = [];
  await new Promise<void>((resolveAll) => {
    let starting = 0;
    let started = 0;
    const pump = (): void => {
      while (starting < WINDOW && next < n) {
        const i = next++;
        starting += 1;
        let once = false;
        ends.push(
          one(i, () => {
            if (once) return;
            once = true;
            starting -= 1;
            started += 1;
            lastStart = performance.now();
            if (started === n) resolveAll();
            else pump();
          }),
        );
      }
    };
    pump();
  });
  const seconds = (lastStart - t0) / 1000;
  const after = ticks();
  await Promise.all(ends);
  const d = { user: after.user - before.user, system: after.system - before.system, idle: after.idle - before.idle, total: after.total - before.total };
  const pct = (x: number) => Math.round((1000 * x) / d.total) / 10;
  return {
    phase: name,
    n,
    startsPerSec: Math.round((10 * n) / seconds) / 10,
    seconds: Math.round(seconds * 10) / 10,
    machine: { userPct: pct(d.user), systemPct: pct(d.system), idlePct: pct(d.idle) },
    cpuMsPerStart: { user: Math.round((10 * (d.user / hz) * 1000) / n) / 10, system: Math.round((10 * (d.system / hz) * 1000) / n) / 10 },
  };
}

function bare(_i: number, started: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn(
      'bwrap',
      ['--unshare-all', '--die-with-parent', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', 'sh', '-c', 'echo up; sleep 1'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    c.stdout.once('data', started);
    c.on('error', reject);
    c.on('close', () => {
      started();
      resolve();
    });
  });
}

function engine(root: string): (i: number, started: () => void) => Promise<void> {
  return async (i, started) => {
    await runSandboxed(
      {
        command: 'echo up; sleep 1',
        outDir: join(root, 'out', String(i)),
        env: {},
        network: false,
        mode: 'bwrap',
        runtimeDir: join(root, 'rt'),
        resources: { memoryMB: 64, pids: 64, tmpMB: 16, timeoutSec: 60, cpu: 0.1 },
        onMissingCgroup: 'warn',
      },
      { line: (stream) => (stream === 'stdout' ? started() : undefined) },
    );
    started();
  };
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'maestro-ceiling-'));
  preferSpawner();
  enableCgroupStock();
  const results: Phase[] = [];
  try {
    await phase('warm-up', 8, engine(root));
    for (let r = 0; r < ROUNDS; r++) {
      results.push(await phase('bare bwrap', N, bare));
      results.push(await phase('engine sandbox layer', N, engine(join(root, `r${r}`))));
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  console.log(JSON.stringify({ cores: cpus().length, n: N, window: WINDOW, loadAfter: loadavg().map((l) => Math.round(l * 10) / 10), results }, null, 2));
  process.exit(0);
}

await main();
