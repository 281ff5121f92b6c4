/** cgroup layout detection (parsers on real /proc text shapes) and the task cgroup lifecycle on this host. */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cgroupPids, createTaskCgroup, parseCgroupMounts, parseProcCgroup, probeCgroups, readCgroupUsage, removeTaskCgroup, sweepStaleCgroups } from '../../src/runner/cgroup.js';

describe('parsers', () => {
  it('mountinfo: v1 controllers (super options) and the v2 mount, with octal escapes', () => {
    const text = [
      '30 25 0:26 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory',
      '31 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
      '35 25 0:31 /sub /sys/fs/cgroup/uni\\040fied rw,nosuid - cgroup2 cgroup2 rw',
      '40 25 0:40 / /proc rw - proc proc rw',
    ].join('\n');
    const m = parseCgroupMounts(text);
    expect(m.map((x) => [x.fstype, x.point, x.root])).toEqual([['cgroup', '/sys/fs/cgroup/memory', '/'], ['cgroup', '/sys/fs/cgroup/cpu,cpuacct', '/'], ['cgroup2', '/sys/fs/cgroup/uni fied', '/sub']]);
    expect(m[1]!.superOptions).toEqual(['rw', 'cpu', 'cpuacct']);
  });
  it('/proc/self/cgroup: co-mounted controllers split, v2 under the empty name', () => {
    const m = parseProcCgroup('4:memory:/a/b\n2:cpu,cpuacct:/\n0::/user.slice/x.scope\n');
    expect(m.get('memory')).toBe('/a/b');
    expect(m.get('cpuacct')).toBe('/');
    expect(m.get('')).toBe('/user.slice/x.scope');
  });
});

const host = probeCgroups().host;

describe.runIf(host !== null)(`task cgroups on this host (v${host?.version})`, () => {
  it('limits are written, a process joins, usage is read back, and removal kills what is left', async () => {
    const cg = createTaskCgroup(host!, { memoryMB: 96, cpu: 0.5, pids: 20 });
    const memDir = cg.dirs.find((d) => existsSync(join(d, host!.version === 2 ? 'memory.max' : 'memory.limit_in_bytes')))!;
    expect(readFileSync(join(memDir, host!.version === 2 ? 'memory.max' : 'memory.limit_in_bytes'), 'utf8').trim()).toBe(String(96 * 1048576));
    const child = spawn('/bin/sh', ['-c', 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; sleep 30'], { stdio: 'ignore' });
    for (const f of cg.procsFiles) writeFileSync(f, String(child.pid));
    expect(cgroupPids(cg)).toContain(child.pid);
    await new Promise((r) => setTimeout(r, 1500));
    const u = readCgroupUsage(cg);
    expect(u.cpuSec).toBeGreaterThan(0);
    expect(u.peakRssMB).toBeGreaterThan(0);
    const exited = new Promise((r) => child.on('exit', (_c, s) => r(s)));
    expect(await removeTaskCgroup(cg)).toBe(true);
    expect(await exited).toBe('SIGKILL');
    for (const d of cg.dirs) expect(existsSync(d)).toBe(false);
  });

  it('a stale cgroup (its engine pid is dead) is swept with its processes; a live engine\'s is kept', async () => {
    const dead = spawn('true');
    await new Promise((r) => dead.on('exit', r));
    const name = `t-${dead.pid}-00ff00ff00ff`;
    for (const b of Object.values(host!.bases)) mkdirSync(join(b, name), { recursive: true });
    const orphan = spawn('sleep', ['30'], { stdio: 'ignore' });
    for (const b of Object.values(host!.bases)) writeFileSync(join(b, name, 'cgroup.procs'), String(orphan.pid));
    const live = createTaskCgroup(host!, { memoryMB: 64, cpu: 1, pids: 10 });
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
});
