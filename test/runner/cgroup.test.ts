/** cgroup layout detection (parsers on real /proc text shapes) and the task cgroup lifecycle on this host. */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cgroupPids,
  createTaskCgroup,
  detectCgroups,
  killTaskCgroupsOf,
  parseCgroupMounts,
  parseProcCgroup,
  probeCgroups,
  readCgroupUsage,
  removeTaskCgroup,
  sweepStaleCgroups,
} from '../../src/runner/cgroup.js';

describe('parsers', () => {
  it('mountinfo: v1 controllers (super options) and the v2 mount, with octal escapes', () => {
    const text = [
      '30 25 0:26 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory',
      '31 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
      '35 25 0:31 /sub /sys/fs/cgroup/uni\\040fied rw,nosuid - cgroup2 cgroup2 rw',
      '40 25 0:40 / /proc rw - proc proc rw',
    ].join('\n');
    const m = parseCgroupMounts(text);
    expect(m.map((x) => [x.fstype, x.point, x.root])).toEqual([
      ['cgroup', '/sys/fs/cgroup/memory', '/'],
      ['cgroup', '/sys/fs/cgroup/cpu,cpuacct', '/'],
      ['cgroup2', '/sys/fs/cgroup/uni fied', '/sub'],
    ]);
    expect(m[1]!.superOptions).toEqual(['rw', 'cpu', 'cpuacct']);
  });
  it('/proc/self/cgroup: co-mounted controllers split, v2 under the empty name', () => {
    const m = parseProcCgroup('4:memory:/a/b\n2:cpu,cpuacct:/\n0::/user.slice/x.scope\n');
    expect(m.get('memory')).toBe('/a/b');
    expect(m.get('cpuacct')).toBe('/');
    expect(m.get('')).toBe('/user.slice/x.scope');
  });
});

describe('detectCgroups (directories stand in for the mounts)', () => {
  it('v2: a delegated subtree (our cgroup lists memory cpu pids, parent writable) → tasks beside our cgroup', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const root = mkdtempSync(join(tmpdir(), 'maestro-detect-'));
    try {
      mkdirSync(join(root, 'user.slice', 'app.scope'), { recursive: true });
      writeFileSync(join(root, 'user.slice', 'app.scope', 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
      const mi = `35 25 0:31 / ${root} rw,nosuid - cgroup2 cgroup2 rw,nsdelegate`;
      const ok = detectCgroups(mi, '0::/user.slice/app.scope\n');
      expect(ok.host).toEqual({ version: 2, bases: { unified: join(root, 'user.slice', 'maestro') }, controllers: ['memory', 'cpu', 'pids'] });
      writeFileSync(join(root, 'user.slice', 'app.scope', 'cgroup.controllers'), 'cpu pids\n');
      const no = detectCgroups(mi, '0::/user.slice/app.scope\n');
      expect(no.host).toBeNull();
      expect(no.reason).toMatch(/does not delegate memory to us; no cgroup v1 memory controller/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
  it('v1: the memory controller mounted read-write (ro is refused); task cgroups nest under our own path', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const root = mkdtempSync(join(tmpdir(), 'maestro-detect-'));
    try {
      mkdirSync(join(root, 'memory', 'job', 'x'), { recursive: true });
      mkdirSync(join(root, 'cpu,cpuacct'), { recursive: true });
      const mi = (mode: string) =>
        [
          `30 25 0:26 / ${root}/memory ${mode},relatime - cgroup cgroup ${mode},memory`,
          `31 25 0:27 / ${root}/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct`,
        ].join('\n');
      const own = '4:memory:/job/x\n2:cpu,cpuacct:/\n0::/\n';
      const ok = detectCgroups(mi('rw'), own);
      expect(ok.host?.version).toBe(1);
      expect(ok.host?.bases.memory).toBe(join(root, 'memory', 'job', 'x', 'maestro'));
      expect(ok.host?.bases.cpu).toBe(join(root, 'cpu,cpuacct', 'maestro'));
      expect(ok.host?.bases.cpuacct).toBeUndefined(); // co-mounted: one directory serves both
      expect(ok.host?.controllers).toEqual(['memory', 'cpu', 'cpuacct']);
      expect(detectCgroups(mi('ro'), own).host).toBeNull();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('cgroup v2 file protocol (this host has no delegated v2 subtree, so a directory stands in for cgroupfs)', () => {
  it('readies a base once per process, and again after it was removed behind its back', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const root = mkdtempSync(join(tmpdir(), 'maestro-cgv2-'));
    try {
      writeFileSync(join(root, 'cgroup.subtree_control'), '');
      const base = join(root, 'maestro');
      const v2 = { version: 2 as const, bases: { unified: base }, controllers: ['memory', 'cpu', 'pids'] };
      const a = await createTaskCgroup(v2, { memoryMB: 64, cpu: 1, pids: 5 });
      // Ready now: a second task does not write the controllers again.
      writeFileSync(join(base, 'cgroup.subtree_control'), 'left alone');
      const b = await createTaskCgroup(v2, { memoryMB: 64, cpu: 1, pids: 5 });
      expect(readFileSync(join(base, 'cgroup.subtree_control'), 'utf8')).toBe('left alone');
      expect(b.dirs[0]).not.toBe(a.dirs[0]);
      // The base is removed: the next task fails (cleanly), the one after readies the base again.
      rmSync(base, { recursive: true, force: true });
      await expect(createTaskCgroup(v2, { memoryMB: 64, cpu: 1, pids: 5 })).rejects.toThrow(/ENOENT/);
      const c = await createTaskCgroup(v2, { memoryMB: 64, cpu: 1, pids: 5 });
      expect(readFileSync(join(base, 'cgroup.subtree_control'), 'utf8')).toBe('+memory +cpu +pids');
      expect(readFileSync(join(c.dirs[0]!, 'pids.max'), 'utf8')).toBe('5');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('enables the controllers for maestro/, writes memory.max, swap 0, cpu.max and pids.max, reads usage_usec, memory.peak and oom_kill', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const root = mkdtempSync(join(tmpdir(), 'maestro-cgv2-'));
    try {
      writeFileSync(join(root, 'cgroup.subtree_control'), 'memory');
      const v2 = { version: 2 as const, bases: { unified: join(root, 'maestro') }, controllers: ['memory', 'cpu', 'pids'] };
      const cg = await createTaskCgroup(v2, { memoryMB: 100, cpu: 0.25, pids: 7 });
      expect(readFileSync(join(root, 'cgroup.subtree_control'), 'utf8')).toBe('+cpu +pids'); // only what was missing
      expect(readFileSync(join(root, 'maestro', 'cgroup.subtree_control'), 'utf8')).toBe('+memory +cpu +pids');
      const d = cg.dirs[0]!;
      expect(cg.procsFiles).toEqual([join(d, 'cgroup.procs')]);
      expect(readFileSync(join(d, 'memory.max'), 'utf8')).toBe(String(100 * 1048576));
      expect(readFileSync(join(d, 'memory.swap.max'), 'utf8')).toBe('0');
      expect(readFileSync(join(d, 'cpu.max'), 'utf8')).toBe('25000 100000');
      expect(readFileSync(join(d, 'pids.max'), 'utf8')).toBe('7');
      writeFileSync(join(d, 'cpu.stat'), 'usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n');
      writeFileSync(join(d, 'memory.peak'), String(50 * 1048576));
      writeFileSync(join(d, 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
      expect(readCgroupUsage(cg)).toEqual({ cpuSec: 2.5, peakRssMB: 50, oomKills: 1 });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

const host = probeCgroups().host;

describe.runIf(host !== null)(`task cgroups on this host (v${host?.version})`, () => {
  it('limits are written, a process joins, usage is read back, and removal kills what is left', async () => {
    const cg = await createTaskCgroup(host!, { memoryMB: 96, cpu: 0.5, pids: 20 });
    const memDir = cg.dirs.find((d) => existsSync(join(d, host!.version === 2 ? 'memory.max' : 'memory.limit_in_bytes')))!;
    expect(readFileSync(join(memDir, host!.version === 2 ? 'memory.max' : 'memory.limit_in_bytes'), 'utf8').trim()).toBe(String(96 * 1048576));
    const child = spawn('/bin/sh', ['-c', 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; sleep 30'], { stdio: 'ignore' });
    for (const f of cg.procsFiles) writeFileSync(f, String(child.pid));
    expect(cgroupPids(cg)).toContain(child.pid);
    let u = readCgroupUsage(cg);
    for (let i = 0; i < 100 && !(u.cpuSec! > 0 && u.peakRssMB! > 0); i++) {
      await new Promise((r) => setTimeout(r, 100)); // a loaded host may take a while to schedule it
      u = readCgroupUsage(cg);
    }
    expect(u.cpuSec).toBeGreaterThan(0);
    expect(u.peakRssMB).toBeGreaterThan(0);
    const exited = new Promise((r) => child.on('exit', (_c, s) => r(s)));
    expect(await removeTaskCgroup(cg)).toBe(true);
    expect(await exited).toBe('SIGKILL');
    for (const d of cg.dirs) expect(existsSync(d)).toBe(false);
  });

  it("a stale cgroup (its engine pid is dead) is swept with its processes; a live engine's is kept", async () => {
    const dead = spawn('true');
    await new Promise((r) => dead.on('exit', r));
    const name = `t-${dead.pid}-00ff00ff00ff`;
    for (const b of Object.values(host!.bases)) mkdirSync(join(b, name), { recursive: true });
    const orphan = spawn('sleep', ['30'], { stdio: 'ignore' });
    for (const b of Object.values(host!.bases)) writeFileSync(join(b, name, 'cgroup.procs'), String(orphan.pid));
    const live = await createTaskCgroup(host!, { memoryMB: 64, cpu: 1, pids: 10 });
    const exited = new Promise((r) => orphan.on('exit', (_c, s) => r(s)));
    let removed: string[] = [];
    for (let i = 0; i < 50 && !removed.includes(name); i++) {
      removed = [...removed, ...sweepStaleCgroups(host)];
      if (!removed.includes(name)) await new Promise((r) => setTimeout(r, 50));
    }
    expect(removed).toContain(name);
    expect(removed).not.toContain(live.name);
    expect(await exited).toBe('SIGKILL');
    for (const b of Object.values(host!.bases)) expect(existsSync(join(b, name))).toBe(false);
    expect(await removeTaskCgroup(live)).toBe(true);
  });

  it("killTaskCgroupsOf kills one dead engine's cgroups and their processes, and nothing of a live pid", async () => {
    const dead = spawn('true');
    await new Promise((r) => dead.on('exit', r));
    const names = [`t-${dead.pid}-0a0a0a0a0a0a`, `t-${dead.pid}-0b0b0b0b0b0b`];
    const orphans = names.map((name) => {
      for (const b of Object.values(host!.bases)) mkdirSync(join(b, name), { recursive: true });
      const p = spawn('sleep', ['30'], { stdio: 'ignore' });
      for (const b of Object.values(host!.bases)) writeFileSync(join(b, name, 'cgroup.procs'), String(p.pid));
      return { p, exited: new Promise((r) => p.on('exit', (_c, sig) => r(sig))) };
    });
    const live = await createTaskCgroup(host!, { memoryMB: 64, cpu: 1, pids: 10 });
    // This process is alive: its cgroups are never touched, even when asked by pid.
    expect(killTaskCgroupsOf(process.pid, host)).toEqual([]);
    expect(killTaskCgroupsOf(dead.pid!, host).sort()).toEqual([...names].sort());
    for (const o of orphans) expect(await o.exited).toBe('SIGKILL');
    // Directories whose processes were still exiting go with the next sweep.
    for (let i = 0; i < 50 && names.some((n) => Object.values(host!.bases).some((b) => existsSync(join(b, n)))); i++) {
      sweepStaleCgroups(host);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const b of Object.values(host!.bases)) for (const n of names) expect(existsSync(join(b, n))).toBe(false);
    for (const d of live.dirs) expect(existsSync(d)).toBe(true);
    expect(await removeTaskCgroup(live)).toBe(true);
  });
});

describe.runIf(host !== null)(`the task cgroup stock of a pool (ADR 0036, v${host?.version})`, () => {
  it('is filled off the event loop, hands out empty cgroups that get the limits, and is gone at exit', async () => {
    const { spawnSync } = await import('node:child_process');
    const { readdirSync } = await import('node:fs');
    const dist = join(import.meta.dirname, '..', '..', 'dist', 'src', 'runner', 'cgroup.js');
    const script = `
      import { readFileSync, existsSync } from 'node:fs';
      import { join } from 'node:path';
      const c = await import(${JSON.stringify(dist)});
      const host = c.probeCgroups().host;
      c.enableCgroupStock();
      const first = await c.createTaskCgroup(host, { memoryMB: 64, cpu: 1, pids: 10 });
      for (let i = 0; i < 200 && c.cgroupStock().length < 16; i++) await new Promise((r) => setTimeout(r, 25));
      const stocked = c.cgroupStock();
      const taken = await c.createTaskCgroup(host, { memoryMB: 80, cpu: 1, pids: 12 });
      const mem = taken.dirs.find((d) => existsSync(join(d, host.version === 2 ? 'memory.max' : 'memory.limit_in_bytes')));
      const limit = readFileSync(join(mem, host.version === 2 ? 'memory.max' : 'memory.limit_in_bytes'), 'utf8').trim();
      console.log(JSON.stringify({ pid: process.pid, stocked, after: c.cgroupStock().length, limit, firstName: first.name, takenName: taken.name, procs: c.cgroupPids(taken).length }));
      await c.removeTaskCgroup(first);
      await c.removeTaskCgroup(taken);
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { pid: number; stocked: string[]; after: number; limit: string; firstName: string; takenName: string; procs: number };
    expect(out.stocked.length).toBe(16);
    // Taken from the stock, named like any task cgroup, with the task's own limit written.
    expect(out.stocked).toContain(out.takenName);
    expect(out.takenName).toMatch(new RegExp(`^t-${out.pid}-[0-9a-f]+$`));
    expect(out.takenName).not.toBe(out.firstName);
    expect(out.limit).toBe(String(80 * 1048576));
    expect(out.procs).toBe(0);
    // The stock (empty cgroups) went with the process at its exit.
    for (const b of Object.values(host!.bases)) expect(readdirSync(b).filter((n) => n.startsWith(`t-${out.pid}-`))).toEqual([]);
  });
});
