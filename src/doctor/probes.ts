/**
 * Host probes for `maestro doctor`: each returns { name, ok, detail, hint? } and never throws.
 * The isolation layers (bubblewrap, user namespaces, seccomp, cgroups, landlock) are probed here
 * until the runner's own probeIsolation() lands; doctor only needs that shape.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Probe {
  name: string;
  ok: boolean;
  detail: string;
  hint?: string;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

function which(bin: string, env: Readonly<Record<string, string | undefined>>): string | null {
  for (const d of (env.PATH ?? '/usr/bin:/bin').split(':')) if (d && existsSync(join(d, bin))) return join(d, bin);
  return null;
}

/** bwrap is on PATH and can start a minimal sandbox with a new user namespace. */
export function probeBubblewrap(env: Readonly<Record<string, string | undefined>>): Probe {
  const bwrap = which('bwrap', env);
  if (!bwrap) return { name: 'bubblewrap', ok: false, detail: 'bwrap not found on PATH', hint: 'apt-get install -y bubblewrap (or run tasks with --sandbox none)' };
  const r = spawnSync(bwrap, ['--unshare-user', '--unshare-pid', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '/bin/true'], { timeout: 10_000, encoding: 'utf8' });
  if (r.status === 0) return { name: 'bubblewrap', ok: true, detail: `${bwrap} starts a sandbox` };
  return { name: 'bubblewrap', ok: false, detail: `${bwrap} cannot start a sandbox: ${(r.stderr || r.error?.message || `status ${r.status}`).trim().split('\n')[0]}`, hint: 'allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces>0; on Ubuntu 24.04 kernel.apparmor_restrict_unprivileged_userns=0) or run as root' };
}

export function probeUserNamespaces(): Probe {
  const max = read('/proc/sys/user/max_user_namespaces');
  const clone = read('/proc/sys/kernel/unprivileged_userns_clone');
  const restricted = read('/proc/sys/kernel/apparmor_restrict_unprivileged_userns');
  const isRoot = process.getuid?.() === 0;
  if (max === '0') return { name: 'user namespaces', ok: false, detail: 'user.max_user_namespaces is 0', hint: 'sysctl -w user.max_user_namespaces=15000' };
  if (clone === '0' && !isRoot) return { name: 'user namespaces', ok: false, detail: 'kernel.unprivileged_userns_clone is 0', hint: 'sysctl -w kernel.unprivileged_userns_clone=1' };
  if (restricted === '1' && !isRoot) return { name: 'user namespaces', ok: false, detail: 'AppArmor restricts unprivileged user namespaces', hint: 'sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile allowing userns for bwrap' };
  return { name: 'user namespaces', ok: true, detail: `available (max ${max ?? 'unknown'}${isRoot ? ', running as root' : ''})` };
}

export function probeSeccomp(): Probe {
  const status = read('/proc/self/status') ?? '';
  const m = /^Seccomp:\s*(\d)/m.exec(status);
  if (!m) return { name: 'seccomp', ok: false, detail: 'the kernel reports no seccomp support', hint: 'use a kernel built with CONFIG_SECCOMP_FILTER=y' };
  const actions = read('/proc/sys/kernel/seccomp/actions_avail');
  return { name: 'seccomp', ok: true, detail: `filters supported${actions ? ` (actions: ${actions})` : ''}${m[1] !== '0' ? `; this process is already filtered (mode ${m[1]})` : ''}` };
}

export function probeCgroups(): Probe {
  const v2 = read('/sys/fs/cgroup/cgroup.controllers');
  if (v2 !== null) {
    const has = (c: string) => v2.split(/\s+/).includes(c);
    const missing = ['memory', 'pids', 'cpu'].filter((c) => !has(c));
    return missing.length === 0
      ? { name: 'cgroups', ok: true, detail: `v2 with ${v2}` }
      : { name: 'cgroups', ok: false, detail: `v2 without ${missing.join(', ')}`, hint: 'enable the controllers (systemd: Delegate=yes; or echo +memory +pids +cpu > cgroup.subtree_control); limits fall back to rlimits' };
  }
  if (existsSync('/sys/fs/cgroup/memory')) return { name: 'cgroups', ok: true, detail: 'v1 (memory hierarchy present)' };
  return { name: 'cgroups', ok: false, detail: 'no cgroup filesystem at /sys/fs/cgroup', hint: 'mount cgroup2 at /sys/fs/cgroup; limits fall back to rlimits' };
}

export function probeLandlock(): Probe {
  const lsm = read('/sys/kernel/security/lsm');
  if (lsm === null) return { name: 'landlock', ok: false, detail: 'cannot read /sys/kernel/security/lsm (securityfs not mounted)', hint: 'mount -t securityfs securityfs /sys/kernel/security; needs Linux >= 5.13 with landlock in lsm=' };
  return lsm.split(',').includes('landlock')
    ? { name: 'landlock', ok: true, detail: `active LSMs: ${lsm}` }
    : { name: 'landlock', ok: false, detail: `not among the active LSMs (${lsm})`, hint: 'boot with lsm=landlock,... (Linux >= 5.13); defence in depth only' };
}

export function probeAppArmor(): Probe {
  const enabled = read('/sys/module/apparmor/parameters/enabled');
  return enabled === 'Y'
    ? { name: 'apparmor', ok: true, detail: 'enabled' }
    : { name: 'apparmor', ok: false, detail: 'not enabled', hint: 'optional: enable AppArmor for a per-task profile' };
}

/** The isolation layers in the shape of the runner's probeIsolation(). */
export function probeIsolationLayers(env: Readonly<Record<string, string | undefined>>): Probe[] {
  return [probeBubblewrap(env), probeUserNamespaces(), probeSeccomp(), probeCgroups(), probeLandlock(), probeAppArmor()];
}

/** GNU time (the runner measures CPU and peak RSS with it). */
export function probeGnuTime(): Probe {
  const r = spawnSync('/usr/bin/time', ['--version'], { encoding: 'utf8', timeout: 5000 });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.error || !/GNU/.test(text)) return { name: 'GNU time', ok: false, detail: '/usr/bin/time is missing or not GNU time', hint: 'apt-get install -y time' };
  return { name: 'GNU time', ok: true, detail: text.trim().split('\n')[0]! };
}
