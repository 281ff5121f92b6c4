/** Escape attempts through privileged syscalls: seccomp answers EPERM inside; the host gets past it. */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProbe, inSandbox, onHost, onHostPrivateMounts, unavailableReason, type Probe } from './helpers.js';

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

  it('a foreign syscall ABI (i386 int 0x80) kills the process', async () => {
    if (process.arch !== 'x64') return;
    const r = await inSandbox(p, '/workspace/probe int80; echo "status=$?"');
    expect(r.stdout).toBe('status=159'); // 128 + SIGSYS
    expect(onHost(p, ['int80'])).toMatch(/^ok \d+$/);
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
