/**
 * A classic-BPF seccomp program generated from a profile (data) and an architecture table (data):
 *   1. architecture check: a foreign audit arch (i386 on x86_64, ...) kills the process;
 *   2. x86_64 only: the x32 ABI (nr >= 0x40000000) gets EPERM;
 *   3. argument filters: clone without namespace flags, clone3 → ENOSYS (its flags live in memory,
 *      so libc falls back to clone), ioctl without TIOCSTI/TIOCLINUX, socket AF_UNIX only when the
 *      task has no network, personality only with the values Docker's default profile allows
 *      (PER_LINUX, PER_LINUX32, UNAME26, both, and the 0xffffffff query);
 *   4. every allowlisted syscall → ALLOW; 5. every other syscall the table knows → errno EPERM;
 *   6. numbers the table does not know (newer syscalls) → errno ENOSYS, so libc falls back as it
 *      does under Docker.
 * The output is the raw `struct sock_filter[]` bwrap reads from `--seccomp FD`.
 */
import { loadProfile, type ProfileName, type SeccompArch, syscallTable } from './profiles.js';

/** `struct sock_filter` fields. */
export interface BpfInsn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

export const BPF = {
  LD_W_ABS: 0x20,
  ALU_AND_K: 0x54,
  JEQ_K: 0x15,
  JGE_K: 0x35,
  RET_K: 0x06,
} as const;

export const SECCOMP_RET = {
  KILL_PROCESS: 0x80000000,
  ERRNO: 0x00050000,
  ALLOW: 0x7fff0000,
} as const;

export const AUDIT_ARCH: Record<SeccompArch, number> = { x86_64: 0xc000003e, aarch64: 0xc00000b7 };
export const ERRNO = { EPERM: 1, ENOSYS: 38 } as const;
/** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET | NEWTIME. */
export const CLONE_NS_MASK = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x00000080;
export const TIOCSTI = 0x5412;
export const TIOCLINUX = 0x541c;
export const AF_UNIX = 1;
/** personality() values Docker's default profile allows: PER_LINUX, PER_LINUX32, UNAME26, PER_LINUX32|UNAME26, query. */
export const PERSONALITY_ALLOWED = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff] as const;
const X32_SYSCALL_BIT = 0x40000000;
/** seccomp_data offsets: nr, arch, then args[i] as 64-bit little-endian (low word first). */
export const OFF = { nr: 0, arch: 4, argLow: (i: number) => 16 + 8 * i } as const;

export interface SeccompOptions {
  profile: ProfileName;
  arch: SeccompArch;
  /** When false, socket() is limited to AF_UNIX. */
  network: boolean;
}

const stmt = (code: number, k: number): BpfInsn => ({ code, jt: 0, jf: 0, k: k >>> 0 });
const jump = (code: number, k: number, jt: number, jf: number): BpfInsn => ({ code, jt, jf, k: k >>> 0 });
const ret = (k: number): BpfInsn => stmt(BPF.RET_K, k);
const errno = (e: number): BpfInsn => ret(SECCOMP_RET.ERRNO | e);

/** Wraps an argument-check block so it runs only for syscall `nr` (A holds nr on entry and exit). */
function guarded(nr: number, block: BpfInsn[]): BpfInsn[] {
  return [jump(BPF.JEQ_K, nr, 0, block.length), ...block];
}

function argFilters(table: Record<string, number>, allowed: Set<string>, network: boolean): BpfInsn[] {
  const out: BpfInsn[] = [];
  if (allowed.has('clone') && table.clone !== undefined) {
    out.push(
      ...guarded(table.clone, [
        stmt(BPF.LD_W_ABS, OFF.argLow(0)),
        stmt(BPF.ALU_AND_K, CLONE_NS_MASK),
        jump(BPF.JEQ_K, 0, 0, 1),
        ret(SECCOMP_RET.ALLOW),
        errno(ERRNO.EPERM),
      ]),
    );
  }
  if (table.clone3 !== undefined) out.push(...guarded(table.clone3, [errno(ERRNO.ENOSYS)]));
  if (allowed.has('ioctl') && table.ioctl !== undefined) {
    out.push(
      ...guarded(table.ioctl, [
        stmt(BPF.LD_W_ABS, OFF.argLow(1)),
        stmt(BPF.ALU_AND_K, 0xffffffff),
        jump(BPF.JEQ_K, TIOCSTI, 2, 0),
        jump(BPF.JEQ_K, TIOCLINUX, 1, 0),
        ret(SECCOMP_RET.ALLOW),
        errno(ERRNO.EPERM),
      ]),
    );
  }
  if (allowed.has('personality') && table.personality !== undefined) {
    const n = PERSONALITY_ALLOWED.length;
    out.push(
      ...guarded(table.personality, [
        stmt(BPF.LD_W_ABS, OFF.argLow(0)),
        ...PERSONALITY_ALLOWED.map((v, i) => jump(BPF.JEQ_K, v, n - i, 0)),
        errno(ERRNO.EPERM),
        ret(SECCOMP_RET.ALLOW),
      ]),
    );
  }
  if (!network && allowed.has('socket') && table.socket !== undefined) {
    out.push(...guarded(table.socket, [stmt(BPF.LD_W_ABS, OFF.argLow(0)), jump(BPF.JEQ_K, AF_UNIX, 0, 1), ret(SECCOMP_RET.ALLOW), errno(ERRNO.EPERM)]));
  }
  return out;
}

/**
 * Builds the filter program as instructions.
 * @example
 *   const insns = buildSeccompProgram({ profile: 'default', arch: 'x86_64', network: false });
 */
export function buildSeccompProgram(opts: SeccompOptions): BpfInsn[] {
  const table = syscallTable(opts.arch);
  const allowed = new Set(loadProfile(opts.profile).allow);
  const prog: BpfInsn[] = [
    stmt(BPF.LD_W_ABS, OFF.arch),
    jump(BPF.JEQ_K, AUDIT_ARCH[opts.arch], 1, 0),
    ret(SECCOMP_RET.KILL_PROCESS),
    stmt(BPF.LD_W_ABS, OFF.nr),
  ];
  if (opts.arch === 'x86_64') prog.push(jump(BPF.JGE_K, X32_SYSCALL_BIT, 0, 1), errno(ERRNO.EPERM));
  prog.push(...argFilters(table, allowed, opts.network));
  const special = new Set(['clone', 'clone3', 'ioctl', 'personality', ...(opts.network ? [] : ['socket'])]);
  const numbers = [...new Set([...allowed].filter((n) => !special.has(n) && table[n] !== undefined).map((n) => table[n]!))].sort((a, b) => a - b);
  for (const nr of numbers) prog.push(jump(BPF.JEQ_K, nr, 0, 1), ret(SECCOMP_RET.ALLOW));
  // Known but not allowed: EPERM. (Allowed special syscalls returned inside their argument filter.)
  const allowedNrs = new Set(numbers);
  const refused = [...new Set(Object.values(table))].filter((nr) => !allowedNrs.has(nr)).sort((a, b) => a - b);
  for (const nr of refused) prog.push(jump(BPF.JEQ_K, nr, 0, 1), errno(ERRNO.EPERM));
  prog.push(errno(ERRNO.ENOSYS));
  if (prog.length > 4096) throw new Error(`seccomp program too long (${prog.length} instructions)`);
  return prog;
}

/** Serialises instructions as `struct sock_filter[]` (u16 code, u8 jt, u8 jf, u32 k; host little-endian). */
export function encodeSeccompProgram(prog: BpfInsn[]): Buffer {
  const buf = Buffer.alloc(prog.length * 8);
  prog.forEach((insn, i) => {
    buf.writeUInt16LE(insn.code, i * 8);
    buf.writeUInt8(insn.jt, i * 8 + 2);
    buf.writeUInt8(insn.jf, i * 8 + 3);
    buf.writeUInt32LE(insn.k >>> 0, i * 8 + 4);
  });
  return buf;
}

/** The filter bytes for bwrap's `--seccomp FD`. */
export function compileSeccomp(opts: SeccompOptions): Buffer {
  return encodeSeccompProgram(buildSeccompProgram(opts));
}
