/**
 * Landlock, through perl's syscall() (Node cannot make the syscalls itself): the ABI query for
 * doctor, and the scope a network task runs under. See docs/adr/0018-workspace-special-files-landlock.md.
 *
 * The scope (ABI 6+): LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET refuses connects to abstract unix sockets
 * created outside the task's domain (a network task shares the host's network namespace, where
 * desktop and system daemons listen on abstract sockets); LANDLOCK_SCOPE_SIGNAL refuses signals to
 * processes outside it. bwrap has already set no_new_privs, so landlock_restrict_self needs no
 * privilege. Syscall numbers are the same on x86_64 and aarch64 (the unified table).
 */
import { spawnSync } from 'node:child_process';

export const SYS_LANDLOCK_CREATE_RULESET = 444;
export const SYS_LANDLOCK_RESTRICT_SELF = 446;
export const LANDLOCK_CREATE_RULESET_VERSION = 1;
export const LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET = 1;
export const LANDLOCK_SCOPE_SIGNAL = 2;
/** The first ABI with scopes. */
export const LANDLOCK_SCOPE_ABI = 6;

let abi: { version: number; detail: string } | undefined;

/**
 * The kernel's Landlock ABI version (0 when Landlock is missing or disabled), via perl.
 * @example
 *   landlockAbi().version // 7 on Linux 6.15+
 */
export function landlockAbi(perl = 'perl'): { version: number; detail: string } {
  if (abi) return abi;
  const r = spawnSync(
    perl,
    ['-e', `my $v = syscall(${SYS_LANDLOCK_CREATE_RULESET}, 0, 0, ${LANDLOCK_CREATE_RULESET_VERSION}); print $v < 0 ? "err " . ($!+0) : "abi $v"`],
    { encoding: 'utf8', timeout: 5000 },
  );
  const m = /^abi (\d+)$/.exec(r.stdout ?? '');
  if (m) {
    abi = { version: Number(m[1]), detail: `ABI ${m[1]}` };
    return abi;
  }
  const e = /^err (\d+)$/.exec(r.stdout ?? '');
  const why =
    !r.stdout && r.error
      ? `perl is not available (${r.error.message})`
      : e?.[1] === '38'
        ? 'not built into this kernel (ENOSYS)'
        : e?.[1] === '95'
          ? 'disabled at boot (EOPNOTSUPP; add landlock to lsm=)'
          : `query failed (${r.stdout || r.stderr})`;
  abi = { version: 0, detail: why };
  return abi;
}

/**
 * perl source that restricts itself to the Landlock scope, then execs its arguments. Exits 124 when
 * the kernel refuses (the caller only uses it where landlockAbi() >= LANDLOCK_SCOPE_ABI).
 */
export const LANDLOCK_SCOPE_EXEC = [
  `my $a = pack("QQQ", 0, 0, ${LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL});`,
  `my $fd = syscall(${SYS_LANDLOCK_CREATE_RULESET}, $a, length($a), 0);`,
  'if ($fd < 0) { print STDERR "maestro: Landlock refused the ruleset: $!\\n"; exit 124; }',
  `if (syscall(${SYS_LANDLOCK_RESTRICT_SELF}, $fd, 0) != 0) { print STDERR "maestro: Landlock refused to restrict the task: $!\\n"; exit 124; }`,
  // The ruleset fd must not reach the task: fdopen it and close it.
  'open(my $h, "<&=", $fd) and close($h); exec { $ARGV[0] } @ARGV; exit 127;',
].join(' ');
