/**
 * Pure construction of the bwrap arguments, the launcher and the in-sandbox wrapper script.
 * Nothing secret is ever on a command line: bwrap reads its options (mounts, host paths) from fd 7
 * (`--args`), so /proc/<pid>/cmdline (on the host, and as /proc/1/cmdline inside) shows only
 * `bwrap --args 7 -- /bin/sh -c <wrapper> maestro-task <command> <limits>`; the task's environment travels on fd 8 and is applied by the innermost shell, after the drop to
 * uid 65534. File descriptors of the bwrap child: 3 seccomp program, 4 report pipe (GNU time line
 * when there is no cgroup, then the /tmp audit), 5 bwrap --info-fd, 6 --userns-block-fd (root
 * hosts only), 7 bwrap's arguments, 8 the environment file (unlinked). The launcher closes every other descriptor
 * (close_range from 9 up) before bwrap starts.
 */
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { LANDLOCK_SCOPE_EXEC } from './landlock.js';
import type { SandboxSpec } from './sandbox.types.js';

export const SANDBOX_UID = 65534;
export const FD = { seccomp: 3, report: 4, info: 5, block: 6, args: 7, env: 8 } as const;
/** The first descriptor the launcher closes (close_range(FIRST_CLOSED, ~0U)). */
export const FIRST_CLOSED_FD = 9;
export const SANDBOX_PATH = '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin';
export const TIME_BIN = '/usr/bin/time';
/** close_range(2) has the same number on x86_64 and aarch64 (the unified syscall table). */
export const SYS_CLOSE_RANGE = 436;
/** Most files the /tmp audit lists, and its time budget (it runs as the task's user, inside). */
export const TMP_AUDIT_MAX_FILES = 100_000;
export const TMP_AUDIT_TIMEOUT_SEC = 20;

/** How the task gets its unprivileged identity. */
export type IdentityMode = 'mapped' | 'user';

export interface ArgsLayout {
  /** root host: a user namespace mapping 0→0 and 65534→65534, then setpriv drops to 65534. */
  identity: IdentityMode;
  etcDir: string;
  /** GNU time is available to measure CPU and peak RSS (used only without a cgroup). */
  haveTime: boolean;
  /** AppArmor profile to exec the task under, when loaded. */
  appArmorProfile?: string;
  /** A cgroup limits memory for the whole tree and measures usage: no RLIMIT_AS, no GNU time. */
  cgroup?: boolean;
  /** Workspace-relative paths of sockets, FIFOs and device nodes, masked by `maskFile`. */
  masked?: string[];
  /** An empty read-only regular file bound over each masked path. */
  maskFile?: string;
  /** Run the task under a Landlock scope (abstract unix sockets, signals): network tasks on ABI >= 6. */
  landlockScope?: boolean;
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

/** The task's environment as shell text for fd 8: `export K='v'` lines, evaluated inside only. */
export function envScript(env: Record<string, string>): string {
  const base: Record<string, string> = { PATH: SANDBOX_PATH, HOME: '/tmp', TMPDIR: '/tmp', MAESTRO_OUT: '/out', LANG: 'C.UTF-8' };
  const merged = { ...base, ...env };
  return Object.keys(merged)
    .sort()
    .filter((k) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
    .map((k) => `export ${k}=${shellQuote(merged[k]!)}\n`)
    .join('');
}

/** Encodes arguments for bwrap's `--args FD`: each one NUL-terminated. */
export function encodeArgs(args: string[]): Buffer {
  return Buffer.from(args.map((a) => `${a}\0`).join(''), 'utf8');
}

/** Default limits of the new resources (Manifest v1 defaults). */
export const DEFAULT_FDS = 1024;
export const DEFAULT_OUT_MB = 1024;
export const DEFAULT_LOG_MB = 64;

/** The bwrap arguments (read from fd 7) up to and including `--`, then the wrapper invocation. */
export function bwrapArgs(spec: SandboxSpec, layout: ArgsLayout): string[] {
  const r = spec.resources;
  const tmpBytes = Math.max(1, r.tmpMB) * 1024 * 1024;
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
  if (spec.workspace) {
    args.push('--ro-bind', spec.workspace, '/workspace');
    // Sockets, FIFOs and device nodes of the workspace would reach host processes: mask each one.
    for (const rel of layout.masked ?? []) args.push('--ro-bind', layout.maskFile!, `/workspace/${rel}`);
  } else args.push('--dir', '/workspace');
  args.push('--bind', spec.outDir, '/out', '--perms', '1777', '--size', String(tmpBytes), '--tmpfs', '/tmp');
  args.push('--clearenv', '--chdir', '/workspace', '--seccomp', String(FD.seccomp));
  const memoryKiB = layout.cgroup ? 'unlimited' : String(r.memoryMB * 1024);
  const fds = r.fds ?? DEFAULT_FDS;
  // One file may not be larger than /out's quota (nor /tmp's size): a sparse file cannot make the host hash gigabytes.
  const fsizeBlocks = Math.max(r.outMB ?? DEFAULT_OUT_MB, r.tmpMB) * 2048;
  args.push('--', '/bin/sh', '-c', wrapperScript(layout), 'maestro-task', spec.command, String(r.pids), memoryKiB, String(fds), String(fsizeBlocks));
  return args;
}

/**
 * Innermost shell, already uid 65534 under its rlimits: reads the environment from fd 8 (a private,
 * already unlinked file owned by the task's user, reopened through /proc), then runs $0.
 */
export const ENV_LOADER = `. /proc/self/fd/${FD.env}; exec ${FD.env}<&-; exec /bin/sh -c "$0"`;

/**
 * The wrapper run as the sandbox's first process (every step is a dash builtin unless named). It
 * closes bwrap's descriptors, sets the rlimits (processes, address space only without a cgroup,
 * descriptors, file size in 512-byte blocks, no core), drops to uid/gid 65534 (setpriv, mapped mode),
 * runs the task (under GNU time only when no cgroup measures it), then, when /tmp is not empty,
 * audits it as the same user and reports on fd 4.
 * $1 command, $2 max processes, $3 max address space KiB (or unlimited), $4 max fds, $5 max file blocks.
 */
export function wrapperScript(layout: ArgsLayout): string {
  const drop =
    layout.identity === 'mapped' ? `setpriv --reuid=${SANDBOX_UID} --regid=${SANDBOX_UID} --clear-groups --inh-caps=-all --bounding-set=-all -- ` : '';
  const aa = layout.appArmorProfile ? `aa-exec -p ${layout.appArmorProfile} -- ` : '';
  const ll = layout.landlockScope ? `perl -e ${shellQuote(LANDLOCK_SCOPE_EXEC)} ` : '';
  const task = `${drop}${aa}${ll}/bin/sh -c ${shellQuote(ENV_LOADER)} "$1"`;
  // GNU time reports on its stderr, pointed at fd 4; the task gets the real stderr back (saved in fd 9).
  const run =
    layout.haveTime && !layout.cgroup
      ? `${TIME_BIN} -f 'time %e %U %S %M' /bin/sh -c 'exec 2>&9 9>&- 4>&-; exec "$@"' restore ${task} 9>&2 2>&${FD.report}`
      : `${task} ${FD.report}>&-`;
  const list = `find /tmp -xdev -type f -printf '%s\\t%b\\t%p\\0' | head -z -n ${TMP_AUDIT_MAX_FILES}; printf 'hashes\\n'; find /tmp -xdev -type f -exec sha256sum -z -- {} +`;
  const audit = `cd / && timeout -s KILL ${TMP_AUDIT_TIMEOUT_SEC} /bin/sh -c ${shellQuote(list)}`;
  return [
    `exec ${FD.seccomp}<&- ${FD.info}>&- ${FD.block}<&- ${FD.args}<&-`,
    'ulimit -c 0 && ulimit -p "$2" && ulimit -n "$4" && ulimit -f "$5" && { [ "$3" = unlimited ] || ulimit -v "$3"; } || exit 126',
    run,
    'rc=$?',
    `exec ${FD.env}<&-`,
    // Only a /tmp with entries is audited (globs are builtins: no process for an empty one).
    'a=; for f in /tmp/* /tmp/.[!.]* /tmp/..?*; do { [ -e "$f" ] || [ -L "$f" ]; } && a=1; done',
    `[ -z "$a" ] || { printf 'audit\\n' >&${FD.report}; ${drop}/bin/sh -c ${shellQuote(audit)} >&${FD.report} 2>/dev/null; }`,
    'exit $rc',
  ].join('\n');
}

/**
 * The host-side launcher (perl, Essential on Debian/Ubuntu): joins the task's cgroups, closes every
 * descriptor from 9 up (close_range), then becomes bwrap, which reads its options from fd 7.
 * argv: bwrap path, the number of cgroup.procs files, those files, then bwrap's `--` and command.
 */
export const LAUNCHER = [
  'my $b = shift @ARGV; my $n = shift @ARGV;',
  'sub fail { print STDERR "maestro: sandbox launcher: $_[0]: $!\\n"; exit $_[1]; }',
  'for my $p (splice(@ARGV, 0, $n)) { open(my $f, ">", $p) or fail("cannot join the cgroup $p", 125); print $f "$$\\n"; close($f) or fail("cannot join the cgroup $p", 125); }',
  `syscall(${SYS_CLOSE_RANGE}, ${FIRST_CLOSED_FD}, 0xffffffff, 0) == 0 or fail("close_range", 126);`,
  `exec { $b } $b, "--args", "${FD.args}", @ARGV;`,
  'fail("cannot run $b", 127);',
].join(' ');

/**
 * The launcher's argv: bwrap, the cgroup.procs files to join, then bwrap's command (from `--`).
 * bwrap's options go to fd 7 (`encodeArgs(split.options)`): bwrap takes only options there.
 */
export function launcherArgv(bwrap: string, procsFiles: string[], args: string[]): { argv: string[]; options: string[] } {
  const at = args.indexOf('--');
  return { argv: ['-e', LAUNCHER, bwrap, String(procsFiles.length), ...procsFiles, ...args.slice(at)], options: args.slice(0, at) };
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
