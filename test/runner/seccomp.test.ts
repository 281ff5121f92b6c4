/** The generated BPF program, checked by running it in a small classic-BPF interpreter. */
import { describe, expect, it } from 'vitest';
import { syscallTable } from '../../src/runner/profiles.js';
import {
  AUDIT_ARCH,
  BPF,
  type BpfInsn,
  buildSeccompProgram,
  compileSeccomp,
  PERSONALITY_ALLOWED,
  SECCOMP_RET,
  TIOCLINUX,
  TIOCSTI,
} from '../../src/runner/seccomp.js';

/** Evaluates a classic BPF seccomp program for one syscall. */
function evaluate(prog: BpfInsn[], data: { arch: number; nr: number; args?: bigint[] }): number {
  const word = (off: number): number => {
    if (off === 0) return data.nr >>> 0;
    if (off === 4) return data.arch >>> 0;
    const i = (off - 16) >> 3;
    const v = data.args?.[i] ?? 0n;
    return Number((off - 16) % 8 === 0 ? v & 0xffffffffn : v >> 32n) >>> 0;
  };
  let a = 0;
  for (let pc = 0; pc < prog.length; pc++) {
    const ins = prog[pc]!;
    switch (ins.code) {
      case BPF.LD_W_ABS:
        a = word(ins.k);
        break;
      case BPF.ALU_AND_K:
        a = (a & ins.k) >>> 0;
        break;
      case BPF.JEQ_K:
        pc += a === ins.k ? ins.jt : ins.jf;
        break;
      case BPF.JGE_K:
        pc += a >= ins.k ? ins.jt : ins.jf;
        break;
      case BPF.RET_K:
        return ins.k >>> 0;
      default:
        throw new Error(`unknown opcode ${ins.code}`);
    }
  }
  throw new Error('fell off the end');
}

const EPERM = (SECCOMP_RET.ERRNO | 1) >>> 0;
const ENOSYS = (SECCOMP_RET.ERRNO | 38) >>> 0;

describe.each(['x86_64', 'aarch64'] as const)('seccomp program (%s)', (arch) => {
  const table = syscallTable(arch);
  const prog = buildSeccompProgram({ profile: 'default', arch, network: false });
  const run = (name: string, args: bigint[] = []) => evaluate(prog, { arch: AUDIT_ARCH[arch], nr: table[name]!, args });

  it('kills on a foreign architecture', () => {
    expect(evaluate(prog, { arch: 0x40000003, nr: table.read! })).toBe(SECCOMP_RET.KILL_PROCESS);
  });
  it('allows listed syscalls and refuses the dangerous ones with EPERM', () => {
    for (const ok of ['read', 'write', 'openat', 'execve', 'exit_group', 'wait4', 'mmap']) expect(run(ok)).toBe(SECCOMP_RET.ALLOW);
    for (const bad of [
      'mount',
      'umount2',
      'unshare',
      'setns',
      'ptrace',
      'keyctl',
      'bpf',
      'perf_event_open',
      'init_module',
      'finit_module',
      'chroot',
      'pivot_root',
      'io_uring_setup',
    ]) {
      expect(run(bad), bad).toBe(EPERM);
    }
  });
  it('filters clone by namespace flags (masked), sends clone3 to ENOSYS', () => {
    expect(run('clone', [0x01200011n])).toBe(SECCOMP_RET.ALLOW); // fork-like flags
    expect(run('clone', [0x10000000n | 0x11n])).toBe(EPERM); // CLONE_NEWUSER
    expect(run('clone', [0x40000000n])).toBe(EPERM); // CLONE_NEWNET
    expect(run('clone', [0xffffffff00000011n])).toBe(SECCOMP_RET.ALLOW); // high word ignored, as the kernel does
    expect(run('clone3')).toBe(ENOSYS);
  });
  it('refuses ioctl TIOCSTI and TIOCLINUX (low word compared), allows other ioctls', () => {
    expect(run('ioctl', [1n, BigInt(TIOCSTI)])).toBe(EPERM);
    expect(run('ioctl', [1n, BigInt(TIOCLINUX)])).toBe(EPERM);
    expect(run('ioctl', [1n, (1n << 32n) | BigInt(TIOCSTI)])).toBe(EPERM);
    expect(run('ioctl', [1n, 0x5401n])).toBe(SECCOMP_RET.ALLOW); // TCGETS
  });
  it('without network only AF_UNIX sockets; with network any family', () => {
    expect(run('socket', [1n])).toBe(SECCOMP_RET.ALLOW);
    expect(run('socket', [2n])).toBe(EPERM);
    const net = buildSeccompProgram({ profile: 'default', arch, network: true });
    expect(evaluate(net, { arch: AUDIT_ARCH[arch], nr: table.socket!, args: [2n] })).toBe(SECCOMP_RET.ALLOW);
  });
  it('personality: only the values Docker allows (READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE refused)', () => {
    for (const v of PERSONALITY_ALLOWED) expect(run('personality', [BigInt(v)]), v.toString(16)).toBe(SECCOMP_RET.ALLOW);
    for (const v of [0x0400000n, 0x0040000n, 0x0020001n, 0x1n, 0x0410000n]) expect(run('personality', [v]), v.toString(16)).toBe(EPERM);
  });
  it('numbers the table does not know get ENOSYS; known refused ones keep EPERM', () => {
    const known = new Set(Object.values(table));
    const max = Math.max(...known);
    for (const nr of [max + 1, max + 7, 1023]) expect(evaluate(prog, { arch: AUDIT_ARCH[arch], nr })).toBe(ENOSYS);
    const gap = [...Array(max).keys()].find((n) => !known.has(n));
    if (gap !== undefined) expect(evaluate(prog, { arch: AUDIT_ARCH[arch], nr: gap })).toBe(ENOSYS);
    expect(run('mount')).toBe(EPERM);
  });
  it('the strict profile is a subset of the default one', () => {
    const strict = buildSeccompProgram({ profile: 'strict', arch, network: false });
    for (const name of ['sendfile', 'read']) expect(evaluate(strict, { arch: AUDIT_ARCH[arch], nr: table[name]!, args: [] })).toBe(SECCOMP_RET.ALLOW);
    for (const name of ['mknodat', 'personality', 'mbind'])
      if (table[name] !== undefined) expect(evaluate(strict, { arch: AUDIT_ARCH[arch], nr: table[name]!, args: [] }), name).toBe(EPERM);
  });
});

describe('encoding', () => {
  it('is struct sock_filter[]: 8 bytes each, u16 code, u8 jt, u8 jf, u32 k little-endian', () => {
    const buf = compileSeccomp({ profile: 'default', arch: 'x86_64', network: false });
    expect(buf.length % 8).toBe(0);
    expect(buf.readUInt16LE(0)).toBe(BPF.LD_W_ABS);
    expect(buf.readUInt32LE(4)).toBe(4);
    expect(buf.readUInt16LE(8)).toBe(BPF.JEQ_K);
    expect(buf.readUInt8(10)).toBe(1);
    expect(buf.readUInt32LE(12)).toBe(AUDIT_ARCH.x86_64);
    expect(buf.readUInt32LE(buf.length - 4)).toBe(ENOSYS); // unknown numbers fall through to ENOSYS
  });
  it('x86_64 refuses the x32 ABI', () => {
    const prog = buildSeccompProgram({ profile: 'default', arch: 'x86_64', network: false });
    expect(evaluate(prog, { arch: AUDIT_ARCH.x86_64, nr: 0x40000000 + 1 })).toBe(EPERM);
  });
});
