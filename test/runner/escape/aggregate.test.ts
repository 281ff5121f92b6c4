/**
 * Aggregate limits (issue 13 items 1-3): memory for the whole task tree (many processes, memfd,
 * SysV shm), the CPU quota, and CPU accounting that sees reparented descendants. Each attack has a
 * host control. Where this host has no usable cgroup, what must hold instead is asserted: the run is
 * refused under the default policy, and runs with a recorded isolation warning under "warn".
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeCgroups } from '../../../src/runner/cgroup.js';
import { buildProbe, inSandbox, onHost, type Probe, unavailableReason } from './helpers.js';

const reason = unavailableReason();
const cg = probeCgroups().host;

describe.skipIf(reason !== null)(`escape: aggregate limits${reason ? ` (skipped: ${reason})` : ''} (cgroup ${cg ? `v${cg.version}` : 'none'})`, () => {
  let p: Probe;
  beforeAll(() => {
    p = buildProbe();
  });
  afterAll(() => p?.cleanup());

  it.runIf(cg === null)('without a cgroup: refused by default, run with a recorded isolation warning under "warn"', async () => {
    await expect(inSandbox(p, 'true')).rejects.toMatchObject({ code: 'ISOLATION_UNAVAILABLE' });
    const r = await inSandbox(p, 'echo ran', {}, false, { onMissingCgroup: 'warn' });
    expect(r.stdout).toBe('ran');
    expect(r.stderr).toMatch(/maestro: warning: isolation: no cgroup/);
    expect(r.outcome.isolation?.warnings[0]).toMatch(/^isolation: no cgroup/);
  });

  it.runIf(cg !== null)('4 processes x 64 MiB under memoryMB 128: the tree holds at most 128 MiB; the host holds all 256', async () => {
    const r = await inSandbox(p, '/workspace/probe forkmem 4 64', { memoryMB: 128, pids: 64 });
    const m = /^held (\d+) alive (\d+) total (\d+)$/m.exec(r.stdout);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    expect(Number(m![3])).toBeLessThanOrEqual(128);
    expect(r.outcome.isolation?.controllers).toContain('memory');
    expect(r.outcome.usage.peakRssMB).toBeLessThanOrEqual(128.5);
    expect(onHost(p, ['forkmem', '4', '64'])).toMatch(/^held 4 alive 4 total 256$/);
  });

  for (const kind of ['memfd', 'shm'] as const) {
    it.runIf(cg !== null)(`${kind}: 256 MiB under memoryMB 128 is stopped (OOM kill of the tree's cgroup); the host holds it`, async () => {
      const r = await inSandbox(p, `/workspace/probe ${kind} 256; echo "status=$?"`, { memoryMB: 128 });
      expect(r.stdout).not.toMatch(/^ok 256$/m);
      expect(r.stdout).toMatch(/status=(137|1)$/); // SIGKILL by the OOM killer, or ENOMEM/ENOSPC
      expect(onHost(p, [kind, '256'])).toBe('ok 256');
    });
  }

  it.runIf(cg !== null)('a task that dies of the memory limit fails with the reason', async () => {
    const r = await inSandbox(p, 'exec /workspace/probe alloc 400', { memoryMB: 64 });
    expect(r.outcome.signal ?? r.outcome.exitCode).not.toBe(0);
    expect(r.outcome.exceeded).toBe('memoryMB');
    expect(r.outcome.reason).toMatch(/reached resources\.memoryMB \(64 MiB, whole tree\)/);
  });

  it.runIf(cg !== null)('cpu 0.2: 0.5 CPU-seconds of work take at least ~2.5 s of wall time inside (quota); the host, unthrottled, is faster', async () => {
    const t0 = Date.now();
    const r = await inSandbox(p, '/workspace/probe spin 0.5', { cpu: 0.2 });
    const wall = (Date.now() - t0) / 1000;
    expect(r.stdout).toBe('ok 0');
    expect(r.outcome.usage.cpuSec).toBeGreaterThan(0.45);
    expect(wall).toBeGreaterThan((0.5 / 0.2) * 0.8);
    expect(r.outcome.usage.cpuSec! / r.outcome.usage.wallSec).toBeLessThan(0.2 * 1.3);
    const h0 = Date.now();
    expect(onHost(p, ['spin', '0.5'])).toBe('ok 0');
    // Host control, load-proof: the same work without the quota finishes sooner than under it.
    expect((Date.now() - h0) / 1000).toBeLessThan(wall);
  });

  it.runIf(cg !== null)('a double-forked (reparented) busy loop is billed: cpuSec comes from the cgroup; GNU time on the host misses it', async () => {
    const r = await inSandbox(p, '/workspace/probe orphan-spin 0.8 /tmp/spun; while [ ! -e /tmp/spun ]; do sleep 0.05; done', { cpu: 1, timeoutSec: 30 });
    expect(r.outcome.exitCode).toBe(0);
    expect(r.outcome.usage.cpuSec).toBeGreaterThan(0.75);
    const marker = join(p.root, 'spun-host');
    const host = spawnSync(
      '/usr/bin/time',
      ['-f', 'cpu %U %S', '/bin/sh', '-c', `${p.probe} orphan-spin 0.8 ${marker}; while [ ! -e ${marker} ]; do sleep 0.05; done`],
      { encoding: 'utf8', timeout: 30_000 },
    );
    const [, u, s] = /cpu ([\d.]+) ([\d.]+)/.exec(host.stderr) ?? [];
    expect(Number(u) + Number(s)).toBeLessThan(0.4); // what the old measurement recorded
  });

  it.runIf(cg !== null)('every task run gets its own cgroup, removed afterwards (none of ours left)', async () => {
    const seen: string[] = [];
    const base = Object.values(cg!.bases)[0]!;
    const runs = [1, 2, 3].map(() => inSandbox(p, 'sleep 0.5'));
    await new Promise((res) => setTimeout(res, 300));
    if (existsSync(base)) seen.push(...readdirSync(base).filter((n) => n.startsWith(`t-${process.pid}-`)));
    await Promise.all(runs);
    expect(new Set(seen).size).toBeGreaterThanOrEqual(2);
    const left = existsSync(base) ? readdirSync(base).filter((n) => n.startsWith(`t-${process.pid}-`)) : [];
    expect(left).toEqual([]);
    for (const b of Object.values(cg!.bases)) for (const n of seen) expect(existsSync(join(b, n))).toBe(false);
  });
});
