/**
 * Which isolation layers this host gives a sandboxed task, for `maestro doctor`: each probe is a
 * real check (a bwrap run, the cgroup layout, a Landlock ABI query), not a guess from versions.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { appArmorAvailable } from './apparmor.js';
import { probeCgroups } from './cgroup.js';
import { LANDLOCK_SCOPE_ABI, landlockAbi } from './landlock.js';
import { hostArch } from './profiles.js';
import { findBwrap, findPerl } from './sandbox.js';
import { buildSeccompProgram } from './seccomp.js';

export interface IsolationLayer {
  name: string;
  ok: boolean;
  detail: string;
  hint?: string;
}

/** The fix as a command first (doctor prints it after "fix:"). */
const BWRAP_FIX = 'apt-get install -y bubblewrap (Debian/Ubuntu; the package is named bubblewrap on other distributions too)';

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function bubblewrap(env: Env): IsolationLayer {
  const bwrap = findBwrap(env);
  if (!bwrap) return { name: 'bubblewrap', ok: false, detail: 'bwrap is not installed', hint: BWRAP_FIX };
  const v = spawnSync(bwrap, ['--version'], { encoding: 'utf8', timeout: 5000 });
  const perl = findPerl(env);
  if (!perl)
    return {
      name: 'bubblewrap',
      ok: false,
      detail: `${v.stdout.trim()} at ${bwrap}, but perl (the launcher) is missing`,
      hint: 'apt-get install -y perl-base',
    };
  return { name: 'bubblewrap', ok: v.status === 0, detail: `${v.stdout.trim() || 'unknown version'} at ${bwrap}` };
}

function userNamespaces(env: Env): IsolationLayer {
  const max = Number((read('/proc/sys/user/max_user_namespaces') ?? '0').trim());
  const bwrap = findBwrap(env);
  if (!bwrap) return { name: 'user namespaces', ok: false, detail: `max_user_namespaces=${max}; not tried (no bwrap)`, hint: BWRAP_FIX };
  const r = spawnSync(bwrap, ['--unshare-user', '--unshare-pid', '--ro-bind', '/', '/', '/bin/true'], { encoding: 'utf8', timeout: 5000 });
  if (r.status === 0) return { name: 'user namespaces', ok: true, detail: `a sandbox starts (max_user_namespaces=${max})` };
  return {
    name: 'user namespaces',
    ok: false,
    detail: `bwrap cannot create a user namespace: ${(r.stderr || '').trim() || `status ${r.status}`}`,
    hint: 'set sysctl user.max_user_namespaces > 0 (and kernel.unprivileged_userns_clone=1 or an AppArmor userns exception for bwrap where restricted)',
  };
}

function seccomp(): IsolationLayer {
  const status = read('/proc/self/status') ?? '';
  if (!/^Seccomp:/m.test(status))
    return { name: 'seccomp', ok: false, detail: 'the kernel has no seccomp (CONFIG_SECCOMP_FILTER)', hint: 'use a kernel built with CONFIG_SECCOMP_FILTER=y' };
  try {
    const arch = hostArch();
    const n = buildSeccompProgram({ profile: 'default', arch, network: false }).length;
    return {
      name: 'seccomp',
      ok: true,
      detail: `filter mode; default profile for ${arch}: ${n} BPF instructions (unknown syscalls ENOSYS, refused ones EPERM)`,
    };
  } catch (err) {
    return { name: 'seccomp', ok: false, detail: (err as Error).message };
  }
}

function cgroups(): IsolationLayer {
  const { host, reason } = probeCgroups();
  if (!host) {
    return {
      name: 'cgroups',
      ok: false,
      detail: reason ?? 'unavailable',
      hint: 'mount the cgroup v1 memory controller read-write, or delegate a cgroup v2 subtree with memory, cpu and pids; without it, tenants that require the sandbox refuse to run tasks',
    };
  }
  return { name: 'cgroups', ok: true, detail: `v${host.version}: ${host.controllers.join(', ')} (task cgroups under ${Object.values(host.bases)[0]})` };
}

function landlock(env: Env): IsolationLayer {
  const perl = findPerl(env);
  const { version, detail } = landlockAbi(perl ?? 'perl');
  if (version >= LANDLOCK_SCOPE_ABI)
    return { name: 'landlock', ok: true, detail: `${detail}: network tasks run scoped (no abstract unix sockets or signals outside the sandbox)` };
  return {
    name: 'landlock',
    ok: false,
    detail: version > 0 ? `${detail}: older than ABI ${LANDLOCK_SCOPE_ABI}, no scopes` : detail,
    hint: `Linux 6.12+ with landlock in the lsm= boot list gives ABI ${LANDLOCK_SCOPE_ABI}+; workspace sockets, FIFOs and devices are masked either way`,
  };
}

function apparmor(): IsolationLayer {
  if (!appArmorAvailable())
    return {
      name: 'apparmor',
      ok: false,
      detail: 'not enabled in this kernel',
      hint: 'optional: enable AppArmor and install apparmor (apparmor_parser) to confine tasks further',
    };
  const parser = spawnSync('apparmor_parser', ['--version'], { encoding: 'utf8', timeout: 5000 });
  if (parser.status !== 0) return { name: 'apparmor', ok: false, detail: 'enabled, but apparmor_parser is missing', hint: 'apt-get install -y apparmor' };
  return { name: 'apparmor', ok: true, detail: 'enabled; the maestro-task profile is loaded at the first run' };
}

/**
 * Probes every isolation layer, in a fixed order: bubblewrap, user namespaces, seccomp, cgroups,
 * landlock, apparmor.
 * @example
 *   for (const l of probeIsolation()) console.log(l.ok ? 'ok' : 'no', l.name, l.detail);
 */
export function probeIsolation(env: Env = process.env): IsolationLayer[] {
  return [bubblewrap(env), userNamespaces(env), seccomp(), cgroups(), landlock(env), apparmor()];
}
