/** Escape attempts through privileged syscalls: seccomp answers EPERM inside; the host gets past it. */
import { spawn, spawnSync } from 'node:child_process';
import { release } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostArch, syscallTable } from '../../../src/runner/profiles.js';
import { buildProbe, inSandbox, onHost, onHostPrivateMounts, type Probe, unavailableReason } from './helpers.js';

const reason = unavailableReason();
const isRoot = process.getuid?.() === 0;

describe.skipIf(reason !== null)(`escape: syscalls${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let p: Probe;
  beforeAll(() => {
    p = buildProbe();
  });
  afterAll(() => p?.cleanup());

  const cases: Array<{ name: string; args: string[]; control: RegExp; rootOnly?: boolean; privateMounts?: boolean }> = [
    // The control mounts inside a private mount namespace (unshare -m) on a scratch dir, never on the host's view.
    { name: 'mount a tmpfs', args: ['mount', '/workspace'], control: /^ok 0$/, rootOnly: true, privateMounts: true },
    { name: 'unshare a new user namespace', args: ['unshare-user'], control: /^ok 0$/ },
    { name: 'clone with CLONE_NEWUSER (argument filter)', args: ['clone-newuser'], control: /^ok \d+$/ },
    { name: 'setns into a user namespace', args: ['setns-user', '/proc/self/ns/user'], control: /^errno EINVAL$/ },
    { name: 'ptrace a process', args: ['ptrace'], control: /^ok 0$/ },
    { name: 'load a kernel module', args: ['module'], control: /^errno (EBADF|ENOSYS|ENOEXEC|EINVAL)$/, rootOnly: true },
    { name: 'chroot', args: ['chroot', '/tmp'], control: /^ok 0$/, rootOnly: true },
    { name: 'keyctl', args: ['keyctl'], control: /^ok \d+$/ },
    { name: 'bpf', args: ['bpf'], control: /^ok \d+$/, rootOnly: true },
    { name: 'perf_event_open', args: ['perf'], control: /^ok \d+$/ },
  ];

  for (const c of cases) {
    it(`${c.name}: EPERM inside; the host is not refused`, async () => {
      const r = await inSandbox(p, `/workspace/probe ${c.args.join(' ')}`);
      expect(r.stdout).toBe('errno EPERM');
      if (c.rootOnly && !isRoot) return;
      // setns into our own namespace is EINVAL on the host: the permission check passed, the kernel refused the no-op.
      const host = c.privateMounts ? onHostPrivateMounts(p, [c.args[0]!, p.workspace]) : onHost(p, c.args);
      expect(host).toMatch(c.control);
    });
  }

  it('TIOCSTI injection: the filter refuses it (EPERM, even on a bad fd); the host injects', async () => {
    const r = await inSandbox(p, '/workspace/probe tiocsti');
    expect(r.stdout.split('\n')).toEqual(['badfd EPERM', 'errno EPERM']);
    const host = onHost(p, ['tiocsti']).split('\n');
    expect(host[0]).toBe('badfd EBADF');
    if (isRoot) expect(host[1]).toBe('ok 0');
  });

  it('a foreign syscall ABI (i386 int 0x80) never runs: SIGSYS where the host emulates IA32, a fault where it cannot', async () => {
    if (process.arch !== 'x64') return;
    // Host control first: does this kernel run i386 syscalls at all (CONFIG_IA32_EMULATION, ia32_emulation=)?
    const host = spawnSync(p.probe, ['int80'], { encoding: 'utf8', timeout: 15_000 });
    const emulated = host.status === 0 && /^ok \d+$/.test(host.stdout.trim());
    if (!emulated)
      expect(host.signal === 'SIGSEGV' || /^errno ENOSYS$/.test(host.stdout.trim()), `host: ${host.status} ${host.signal} ${host.stdout}`).toBe(true);
    const r = await inSandbox(p, '/workspace/probe int80; echo "status=$?"');
    // Either way the foreign syscall did not succeed inside.
    expect(r.stdout).not.toMatch(/^ok /m);
    if (emulated)
      expect(r.stdout).toBe('status=159'); // 128 + SIGSYS: the filter's architecture check killed it
    else expect(r.stdout).toMatch(/^(errno ENOSYS\n)?status=(139|159|1)$/); // SIGSEGV (no IA32 entry) or killed/refused first
  });

  it('personality: READ_IMPLIES_EXEC and ADDR_NO_RANDOMIZE are refused inside (EPERM), the values Docker allows pass; the host sets them', async () => {
    for (const v of ['0x0400000', '0x0040000']) {
      expect((await inSandbox(p, `/workspace/probe personality ${v}`)).stdout, v).toBe('errno EPERM');
      expect(onHost(p, ['personality', v]), v).toBe('ok 0');
    }
    for (const v of ['0x0', '0x8', '0xffffffff']) expect((await inSandbox(p, `/workspace/probe personality ${v}`)).stdout, v).toBe('ok 0');
  });

  it('a syscall newer than the table gets ENOSYS (libc falls back), not EPERM; the host kernel knows it', async () => {
    const table = syscallTable(hostArch());
    const known = new Set(Object.values(table));
    const newer = Math.max(...known) + 1; // 451 cachestat on both arches: in the kernel since 6.5, not in the 6.1 table
    const r = await inSandbox(p, `/workspace/probe nosys ${newer}`);
    expect(r.stdout).toBe('errno ENOSYS');
    const host = onHost(p, ['nosys', String(newer)]);
    // Host control: on a kernel that has it, the call reaches the syscall (EFAULT/EINVAL/EBADF...), proving the filter answered inside.
    const [maj, min] = release().split('.').map(Number);
    if (maj! > 6 || (maj === 6 && min! >= 5)) expect(host).toMatch(/^(errno E(?!NOSYS)[A-Z]+|ok \d+)$/);
    expect((await inSandbox(p, '/workspace/probe nosys 1000')).stdout).toBe('errno ENOSYS');
  });

  it('cannot kill a process outside the sandbox (ESRCH: not in its pid namespace); the host can', async () => {
    const victim = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const r = await inSandbox(p, `/workspace/probe kill ${victim.pid}`);
      expect(r.stdout).toBe('errno ESRCH');
      expect(victim.exitCode).toBeNull();
      expect(victim.signalCode).toBeNull();
      const exited = new Promise((res) => victim.on('exit', (_c, s) => res(s)));
      expect(onHost(p, ['kill', String(victim.pid)])).toBe('ok 0');
      expect(await exited).toBe('SIGTERM');
    } finally {
      victim.kill('SIGKILL');
    }
  });
});
