/**
 * Pure construction of the bwrap command line and the in-sandbox wrapper script.
 * File descriptors of the bwrap child: 3 seccomp program, 4 report pipe (GNU time line + /tmp audit),
 * 5 bwrap --info-fd, 6 --userns-block-fd (root hosts only).
 */
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import type { SandboxSpec } from './sandbox.types.js';

export const SANDBOX_UID = 65534;
export const FD = { seccomp: 3, report: 4, info: 5, block: 6 } as const;
export const SANDBOX_PATH = '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin';
export const TIME_BIN = '/usr/bin/time';

/** How the task gets its unprivileged identity. */
export type IdentityMode = 'mapped' | 'user';

export interface ArgsLayout {
  /** root host: a user namespace mapping 0→0 and 65534→65534, then setpriv drops to 65534. */
  identity: IdentityMode;
  etcDir: string;
  /** GNU time is available to measure CPU and peak RSS. */
  haveTime: boolean;
  /** AppArmor profile to exec the task under, when loaded. */
  appArmorProfile?: string;
}

const ROOT_LINKS = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

/** /bin, /lib... as the host has them: symlinks stay symlinks, real directories are bound read-only. */
export function systemDirArgs(root = '/'): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const name of ROOT_LINKS) {
    const p = `${root}${name}`;
    if (!existsSync(p)) continue;
    const st = lstatSync(p);
    if (st.isSymbolicLink()) args.push('--symlink', readlinkSync(p), `/${name}`);
    else if (st.isDirectory()) args.push('--ro-bind', p, `/${name}`);
  }
  return args;
}

function envArgs(env: Record<string, string>): string[] {
  const base: Record<string, string> = { PATH: SANDBOX_PATH, HOME: '/tmp', TMPDIR: '/tmp', MAESTRO_OUT: '/out', LANG: 'C.UTF-8' };
  const merged = { ...base, ...env };
  return Object.keys(merged).sort().flatMap((k) => ['--setenv', k, merged[k]!]);
}

/** The bwrap arguments up to and including `--`, then the wrapper invocation. */
export function bwrapArgs(spec: SandboxSpec, layout: ArgsLayout): string[] {
  const tmpBytes = Math.max(1, spec.resources.tmpMB) * 1024 * 1024;
  const args = ['--unshare-user', '--info-fd', String(FD.info)];
  if (layout.identity === 'mapped') {
    args.push('--userns-block-fd', String(FD.block), '--cap-drop', 'ALL', '--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID', '--cap-add', 'CAP_SETPCAP');
  } else {
    args.push('--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_UID), '--cap-drop', 'ALL');
  }
  args.push('--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup');
  if (!spec.network) args.push('--unshare-net');
  args.push('--die-with-parent', '--new-session', '--hostname', 'maestro-task');
  args.push(...systemDirArgs(), '--ro-bind', layout.etcDir, '/etc');
  for (const f of HOST_ETC) args.push('--ro-bind-try', `/etc/${f}`, `/etc/${f}`);
  args.push('--proc', '/proc', '--dev', '/dev');
  if (spec.workspace) args.push('--ro-bind', spec.workspace, '/workspace');
  else args.push('--dir', '/workspace');
  args.push('--bind', spec.outDir, '/out', '--perms', '1777', '--size', String(tmpBytes), '--tmpfs', '/tmp');
  args.push('--clearenv', ...envArgs(spec.env), '--chdir', '/workspace', '--seccomp', String(FD.seccomp));
  args.push('--', '/bin/sh', '-c', wrapperScript(layout), 'maestro-task', spec.command, String(spec.resources.pids), String(spec.resources.memoryMB * 1024 * 1024));
  return args;
}

/**
 * The wrapper run as the sandbox's first process. It drops to uid/gid 65534 (mapped mode), applies the
 * rlimits, runs the task under GNU time with fds 3-6 closed, then audits /tmp as the same user and
 * reports both on fd 4. $1 command, $2 max processes, $3 max address space bytes.
 */
export function wrapperScript(layout: ArgsLayout): string {
  const drop = layout.identity === 'mapped'
    ? `setpriv --reuid=${SANDBOX_UID} --regid=${SANDBOX_UID} --clear-groups --inh-caps=-all --bounding-set=-all -- `
    : '';
  const aa = layout.appArmorProfile ? `aa-exec -p ${layout.appArmorProfile} -- ` : '';
  const task = `${drop}${aa}prlimit --nproc="$2" --as="$3" --core=0 -- /bin/sh -c "$1"`;
  // GNU time reports on its stderr, pointed at fd 4; the task gets the real stderr back (saved in fd 7).
  const run = layout.haveTime
    ? `${TIME_BIN} -f 'time %e %U %S %M' /bin/sh -c 'exec 2>&7 7>&- 4>&-; exec "$@"' restore ${task} 7>&2 2>&${FD.report} 3<&- 5>&- 6<&-`
    : `${task} 3<&- 4>&- 5>&- 6<&-`;
  const audit = `cd / && find /tmp -xdev -type f -exec sh -c 'for f do s=$(stat -c %s -- "$f") || continue; h=$(sha256sum < "$f" 2>/dev/null) && h=\${h%% *} || h=-; printf "%s\\t%s\\t%s\\0" "$s" "$h" "$f"; done' audit {} +`;
  return [
    run,
    'rc=$?',
    `printf 'audit\\n' >&${FD.report}`,
    `${drop}/bin/sh -c ${shellQuote(audit)} >&${FD.report} 2>/dev/null 3<&- 5>&- 6<&-`,
    'exit $rc',
  ].join('\n');
}

/** Single-quotes a string for /bin/sh. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Public host files mounted over placeholders of the generated /etc (symlink farms, loader cache). */
export const HOST_ETC = ['alternatives', 'ld.so.cache', 'localtime'];
export const HOST_ETC_DIRS = ['alternatives'];

/** The generated /etc: just enough for id, ls -l and name lookups of the sandbox user. */
export const ETC_FILES: Record<string, string> = {
  passwd: 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/tmp:/usr/sbin/nologin\n',
  group: 'root:x:0:\nnogroup:x:65534:\n',
  hosts: '127.0.0.1 localhost maestro-task\n::1 localhost\n',
  'nsswitch.conf': 'passwd: files\ngroup: files\nhosts: files dns\n',
  hostname: 'maestro-task\n',
};
