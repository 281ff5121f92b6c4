/**
 * The sandbox spawner process (ADR 0036): a pool's sandboxes start through it, with the same output,
 * exit and measurement as a direct start; its exit is never lost, its flow control holds, and neither
 * side's death leaves a sandbox running.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSandboxed } from '../../src/runner/sandbox.js';
import type { SandboxSpec } from '../../src/runner/sandbox.types.js';
import { sandboxSpawner } from '../../src/runner/spawner.js';
import { processAlive, waitFor } from './e2e-helpers.js';
import { unavailableReason } from './escape/helpers.js';

const reason = unavailableReason();
const ROOT = join(import.meta.dirname, '..', '..');

const alive = processAlive;
const until = (what: string, ok: () => boolean, ms = 10_000): Promise<true> => waitFor(() => ok() || undefined, ms, what);

/** Pids of processes whose command line contains `needle`. */
const pidsOf = (needle: string): number[] =>
  spawnSync('pgrep', ['-f', needle], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map(Number)
    .filter((p) => p !== process.pid);

describe.skipIf(reason !== null)(`the sandbox spawner${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let root: string;
  const saved = process.env.MAESTRO_SPAWNER;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'maestro-spawner-'));
    chmodSync(root, 0o755);
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.MAESTRO_SPAWNER;
    else process.env.MAESTRO_SPAWNER = saved;
    rmSync(root, { recursive: true, force: true });
  });

  const spec = (command: string, extra: Partial<SandboxSpec> = {}): SandboxSpec => ({
    command,
    outDir: join(root, `out-${Math.random().toString(36).slice(2)}`),
    env: { ONLY: 'declared' },
    network: false,
    mode: 'bwrap',
    runtimeDir: join(root, 'rt'),
    resources: { memoryMB: 256, pids: 64, tmpMB: 8, timeoutSec: 20 },
    ...extra,
  });

  const run = async (via: '0' | '1', command: string, extra: Partial<SandboxSpec> = {}) => {
    process.env.MAESTRO_SPAWNER = via;
    const lines: string[] = [];
    let pgid = 0;
    const outcome = await runSandboxed(spec(command, extra), {
      line: (s, l) => void lines.push(`${s}: ${l}`),
      started: (p) => {
        pgid = p;
      },
    });
    return { outcome, lines, pgid };
  };

  it('gives the same lines, exit, audit and usage as a direct start, from a process that is not this one', async () => {
    const cmd = 'echo out; echo err >&2; env | sort; head -c 100 /dev/zero > /tmp/t; head -c 7 /dev/zero > /out/o; exit 3';
    const direct = await run('0', cmd);
    const via = await run('1', cmd);
    expect(via.lines).toEqual(direct.lines);
    expect(via.lines).toContain('stdout: ONLY=declared');
    expect(via.outcome.exitCode).toBe(3);
    expect(via.outcome.exitCode).toBe(direct.outcome.exitCode);
    expect(via.outcome.writes.map((w) => [w.path, w.size, w.sha256])).toEqual(direct.outcome.writes.map((w) => [w.path, w.size, w.sha256]));
    expect(via.outcome.usage.bytesWritten).toBe(107);
    expect(via.outcome.usage.peakRssMB).toBeGreaterThan(0);
    // The spawner, not this process, is the sandbox launcher's parent.
    const sp = sandboxSpawner({ MAESTRO_SPAWNER: '1' })!.pid();
    expect(sp).not.toBeNull();
    expect(sp).not.toBe(process.pid);
    expect(via.pgid).toBeGreaterThan(0);
  });

  it('never loses an exit that arrives with the start, while this event loop is blocked', async () => {
    process.env.MAESTRO_SPAWNER = '1';
    const lines: string[] = [];
    const p = runSandboxed(spec('echo quick'), { line: (s, l) => void lines.push(`${s}: ${l}`) });
    // Block this thread well past the task's whole life, so its start, output and exit queue up together.
    const end = Date.now() + 1500;
    while (Date.now() < end) {
      /* busy */
    }
    const outcome = await Promise.race([p, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    expect(outcome).not.toBeNull();
    expect(outcome!.exitCode).toBe(0);
    expect(lines).toEqual(['stdout: quick']);
  });

  it('carries large output in order under flow control, and the logMB cap still cuts it', async () => {
    // 200,000 numbered lines (about 1.3 MB) with the reader slowed: the spawner must wait for credit.
    process.env.MAESTRO_SPAWNER = '1';
    const got: string[] = [];
    let calls = 0;
    const outcome = await runSandboxed(spec('seq 1 200000'), {
      line: () => undefined,
      lines: async (_s, ls) => {
        got.push(...ls);
        if (++calls % 20 === 0) await new Promise((r) => setTimeout(r, 5));
      },
    });
    expect(outcome.exitCode).toBe(0);
    expect(got.length).toBe(200_000);
    expect(got[0]).toBe('1');
    expect(got[199_999]).toBe('200000');
    expect(got.every((l, i) => l === String(i + 1))).toBe(true);
    const capped = await run('1', 'seq 1 400000', { resources: { memoryMB: 256, pids: 64, tmpMB: 8, timeoutSec: 20, logMB: 1 } });
    expect(capped.outcome.exitCode).toBe(0);
    expect(capped.lines.some((l) => l.includes('log truncated'))).toBe(true);
    expect(capped.lines.length).toBeLessThan(200_000);
  });

  it('holds a fast writer behind a stalled reader: the spawner buffers about its credit, not the output', async () => {
    process.env.MAESTRO_SPAWNER = '1';
    const rssKiB = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    const sp = sandboxSpawner({ MAESTRO_SPAWNER: '1' })!;
    let stalled = false;
    let peakKiB = 0;
    let baseKiB = 0;
    let total = 0;
    // 256 MiB of output; the first batch is held for 2 s while the spawner's memory is sampled.
    const outcome = await runSandboxed(
      spec('head -c 268435456 /dev/zero | tr "\\0" "x" | fold -w 1023', { resources: { memoryMB: 256, pids: 64, tmpMB: 8, timeoutSec: 60, logMB: 1024 } }),
      {
        line: () => undefined,
        lines: async (_s, ls) => {
          total += ls.length;
          if (stalled) return;
          stalled = true;
          const pid = sp.pid()!;
          baseKiB = rssKiB(pid);
          for (let i = 0; i < 20; i++) {
            await new Promise((r) => setTimeout(r, 100));
            peakKiB = Math.max(peakKiB, rssKiB(pid));
          }
        },
      },
    );
    expect(outcome.exitCode).toBe(0);
    expect(total).toBe(Math.ceil(268_435_456 / 1023));
    // Without flow control the spawner would hold most of the 256 MiB written during the stall.
    expect(peakKiB - baseKiB).toBeLessThan(64 * 1024);
  }, 60_000);

  it('a timeout through the spawner kills the whole sandbox', async () => {
    const r = await run('1', 'sleep 60 & sleep 60; wait', { resources: { memoryMB: 256, pids: 64, tmpMB: 8, timeoutSec: 1 } });
    expect(r.outcome.timedOut).toBe(true);
    await until('the timed-out sandbox to be gone', () => !alive(r.pgid));
  });

  it('a spawner killed mid-task fails the task with the reason and kills it; the next task starts a new spawner', async () => {
    process.env.MAESTRO_SPAWNER = '1';
    const marker = `spawner-victim-${Date.now()}`;
    let pgid = 0;
    const p = runSandboxed(spec(`echo started; exec sleep 60 # ${marker}`), {
      line: () => undefined,
      started: (g) => {
        pgid = g;
      },
    });
    await until('the task to start', () => pgid > 0);
    const first = sandboxSpawner({ MAESTRO_SPAWNER: '1' })!.pid()!;
    process.kill(first, 'SIGKILL');
    await expect(p).rejects.toThrow(/sandbox spawner process \d+ exited \(SIGKILL\) while the task ran; the task was killed/);
    await until('the orphaned sandbox to be gone', () => !alive(pgid) && pidsOf(marker).length === 0);
    const again = await run('1', 'echo again');
    expect(again.lines).toEqual(['stdout: again']);
    expect(sandboxSpawner({ MAESTRO_SPAWNER: '1' })!.pid()).not.toBe(first);
  });

  it('a runner killed with SIGKILL takes its spawner and its sandboxes with it', async () => {
    const marker = `runner-victim-${Date.now()}`;
    const script = join(root, 'runner.mjs');
    writeFileSync(
      script,
      `import { runSandboxed } from ${JSON.stringify(join(ROOT, 'dist/src/runner/sandbox.js'))};
       await runSandboxed(${JSON.stringify(spec(`exec sleep 60 # ${marker}`))}, { line: () => undefined, started: (g) => console.log('pgid', g) });`,
    );
    const runner = spawn(process.execPath, [script], { env: { ...process.env, MAESTRO_SPAWNER: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    runner.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await until('the runner to start its task', () => /pgid \d+/.test(out), 15_000);
    const pgid = Number(/pgid (\d+)/.exec(out)![1]);
    const spawners = pidsOf('spawner-main.js').filter(
      (p) => spawnSync('ps', ['-o', 'ppid=', '-p', String(p)], { encoding: 'utf8' }).stdout.trim() === String(runner.pid),
    );
    expect(spawners.length).toBe(1);
    runner.kill('SIGKILL');
    await until('the sandbox and the spawner to be gone', () => !alive(pgid) && pidsOf(marker).length === 0 && !alive(spawners[0]!));
  });
});
