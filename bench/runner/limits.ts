/**
 * Sandbox limits benchmarks (issue 13), run after `npm run build`:
 *   node dist/bench/runner/limits.js [runs]
 *  1. start overhead: median wall time of `true` under the full sandbox with its cgroup and every new
 *     limit (launcher + close_range, cgroup create/join/remove, env on fd 8, args on fd 7, RLIMIT_NOFILE
 *     and FSIZE, /out watcher, audit) beside a bare `bwrap --unshare-all --ro-bind / / true`, measured
 *     interleaved in the same run. Goal: at most 15 ms over bare bwrap.
 *  2. log flood: engine RSS while a task writes 32 MiB and 256 MiB of short lines to the ndjson log
 *     (the executor's batched writer), and the logging rate; RSS must not grow with volume.
 * Prints figures and `uptime` load averages (the machine is shared).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeCgroups } from '../../src/runner/cgroup.js';
import { findBwrap, runSandboxed } from '../../src/runner/sandbox.js';

const RUNS = Number(process.argv[2] ?? 40);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

function timed(cmd: string, args: string[]): Promise<number> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: 'ignore' });
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`${cmd} exited ${code}`))));
  });
}

async function sandboxTrue(root: string, i: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  const o = await runSandboxed(
    {
      command: 'true',
      outDir: join(root, `o${i}`),
      env: { A: 'x' },
      network: false,
      mode: 'bwrap',
      runtimeDir: join(root, 'rt'),
      resources: { memoryMB: 256, pids: 64, tmpMB: 16, timeoutSec: 30, cpu: 1, outMB: 1024, fds: 1024, logMB: 64 },
    },
    { line: () => undefined },
  );
  if (o.exitCode !== 0) throw new Error(`sandboxed true failed: ${o.reason ?? o.exitCode}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function startOverhead(root: string): Promise<void> {
  const bwrap = findBwrap();
  if (!bwrap) throw new Error('bwrap is not installed');
  const bare = ['--unshare-all', '--ro-bind', '/', '/', 'true'];
  await timed(bwrap, bare);
  await sandboxTrue(root, -1); // warm: writes /etc and the seccomp program once
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    a.push(await timed(bwrap, bare));
    b.push(await sandboxTrue(root, i));
  }
  const over = pct(b, 50) - pct(a, 50);
  const cg = probeCgroups().host;
  console.log(`start overhead (${RUNS} runs each, interleaved; cgroup ${cg ? `v${cg.version}` : 'none'}):`);
  console.log(`  bare bwrap --unshare-all --ro-bind / / true: p50 ${pct(a, 50).toFixed(1)} ms, p90 ${pct(a, 90).toFixed(1)} ms`);
  console.log(`  maestro sandbox (true):                       p50 ${pct(b, 50).toFixed(1)} ms, p90 ${pct(b, 90).toFixed(1)} ms`);
  console.log(`  overhead over bare bwrap: p50 ${over.toFixed(1)} ms (goal <= 15 ms: ${over <= 15 ? 'met' : 'NOT met'})`);
}

async function flood(root: string, mib: number): Promise<{ peakDeltaMB: number; mbPerSec: number; logBytes: number }> {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const logPath = join(root, `flood-${mib}.ndjson`);
  const log = createWriteStream(logPath);
  const t0 = Date.now();
  await runSandboxed(
    {
      command: `yes 'a log line of about sixty bytes, repeated by a fast writer......' | head -c ${mib * 1048576}`,
      outDir: join(root, `flood-out-${mib}`),
      env: {},
      network: false,
      mode: 'bwrap',
      runtimeDir: join(root, 'rt'),
      resources: { memoryMB: 256, pids: 64, tmpMB: 16, timeoutSec: 300, logMB: 4096 },
    },
    {
      line: () => undefined,
      lines: (stream, lines) => {
        const ts = new Date().toISOString();
        return log.write(lines.map((line) => `${JSON.stringify({ ts, stream, line })}\n`).join('')) ? undefined : once(log, 'drain').then(() => undefined);
      },
    },
  );
  const secs = (Date.now() - t0) / 1000;
  await new Promise((r) => log.end(r));
  clearInterval(sampler);
  return { peakDeltaMB: (peak - base) / 1048576, mbPerSec: mib / secs, logBytes: statSync(logPath).size };
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'maestro-bench-limits-'));
  chmodSync(root, 0o755);
  try {
    console.log(
      `load average before: ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    await startOverhead(root);
    console.log('log flood (engine side, batched ndjson writer):');
    for (const mib of [32, 256]) {
      const r = await flood(root, mib);
      console.log(
        `  ${String(mib).padStart(3)} MiB of output: engine RSS peak +${r.peakDeltaMB.toFixed(1)} MiB, ${r.mbPerSec.toFixed(1)} MiB/s logged, log ${(r.logBytes / 1048576).toFixed(1)} MiB`,
      );
    }
    console.log(
      `load average after: ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
