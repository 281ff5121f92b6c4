/** runSandboxed directly: environment, identity, measurement, write audit, workspace warning. */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSandboxed } from '../../src/runner/sandbox.js';
import type { SandboxSpec } from '../../src/runner/sandbox.types.js';
import { bwrapArgs, encodeArgs, envScript, launcherArgv, wrapperScript } from '../../src/runner/sandbox-args.js';
import { unavailableReason } from './escape/helpers.js';

const reason = unavailableReason();

describe('bwrapArgs', () => {
  const spec: SandboxSpec = {
    command: 'echo hi',
    workspace: '/w',
    outDir: '/o',
    env: { A: 'secret value' },
    network: false,
    mode: 'bwrap',
    runtimeDir: '/r',
    resources: { memoryMB: 128, pids: 10, tmpMB: 2, timeoutSec: 5 },
  };
  it('unshares every namespace, net only without network, and limits /tmp', () => {
    const args = bwrapArgs(spec, { identity: 'user', etcDir: '/r/etc', haveTime: true });
    for (const f of [
      '--unshare-user',
      '--unshare-pid',
      '--unshare-ipc',
      '--unshare-uts',
      '--unshare-cgroup',
      '--unshare-net',
      '--die-with-parent',
      '--new-session',
      '--clearenv',
    ])
      expect(args).toContain(f);
    expect(args.join(' ')).toContain(`--perms 1777 --size ${2 * 1024 * 1024} --tmpfs /tmp`);
    expect(args.join(' ')).toContain('--ro-bind /w /workspace');
    expect(args.join(' ')).toContain('--bind /o /out');
    expect(args.join(' ')).toContain('--seccomp 3');
    expect(args.join(' ')).toContain('--uid 65534 --gid 65534 --cap-drop ALL');
    expect(bwrapArgs({ ...spec, network: true }, { identity: 'user', etcDir: '/r/etc', haveTime: true })).not.toContain('--unshare-net');
  });
  it('puts no env value on any command line: they travel on fd 8 as shell-quoted exports', () => {
    const args = bwrapArgs(spec, { identity: 'user', etcDir: '/r/etc', haveTime: true });
    expect(args.join(' ')).not.toContain('secret value');
    expect(args).not.toContain('--setenv');
    expect(envScript(spec.env)).toContain("export A='secret value'\n");
    expect(envScript({ Q: "it's $(x)" })).toContain(`export Q='it'\\''s $(x)'`);
  });
  it('the launcher gets bwrap, the cgroup files and the command; options (host paths) go to fd 7', () => {
    const { argv, options } = launcherArgv(
      '/usr/bin/bwrap',
      ['/cg/a/cgroup.procs', '/cg/b/cgroup.procs'],
      bwrapArgs(spec, { identity: 'user', etcDir: '/r/etc', haveTime: true }),
    );
    expect(argv.slice(2, 6)).toEqual(['/usr/bin/bwrap', '2', '/cg/a/cgroup.procs', '/cg/b/cgroup.procs']);
    expect(argv[6]).toBe('--');
    expect(argv.join(' ')).not.toContain('/o');
    expect(options).toContain('/o');
    expect(encodeArgs(['a', 'b c']).toString()).toBe('a\0b c\0');
  });
  it('masks workspace special files with the empty file; RLIMIT_AS only without a cgroup; fds and file size limits', () => {
    const layout = { identity: 'user' as const, etcDir: '/r/etc', haveTime: true, masked: ['s.sock', 'd/fifo'], maskFile: '/r/masked' };
    const args = bwrapArgs({ ...spec, resources: { ...spec.resources, fds: 99, outMB: 3 } }, layout);
    expect(args.join(' ')).toContain('--ro-bind /r/masked /workspace/s.sock --ro-bind /r/masked /workspace/d/fifo');
    expect(args.at(-3)).toBe(String(128 * 1024)); // KiB for ulimit -v
    expect(args.at(-2)).toBe('99');
    expect(args.at(-1)).toBe(String(3 * 2048)); // 512-byte blocks for ulimit -f
    expect(bwrapArgs(spec, { ...layout, cgroup: true }).at(-3)).toBe('unlimited');
    expect(wrapperScript({ ...layout, cgroup: true })).not.toContain('/usr/bin/time');
    expect(wrapperScript(layout)).toContain('/usr/bin/time');
  });
  it('the launcher fails loudly (125) when it cannot join the cgroup, before bwrap runs', () => {
    const { argv } = launcherArgv('/bin/echo', ['/nonexistent-maestro/cgroup.procs'], ['--', 'never']);
    const r = spawnSync('perl', argv, { encoding: 'utf8' });
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(/^maestro: sandbox launcher: cannot join the cgroup \/nonexistent-maestro\/cgroup\.procs: No such file/);
    expect(r.stdout).toBe('');
    expect(spawnSync('perl', launcherArgv('/bin/echo', [], ['--', 'ran']).argv, { encoding: 'utf8' }).stdout).toBe('--args 7 -- ran\n');
  });
  it('as root, maps the namespace itself and drops to 65534 with setpriv', () => {
    const args = bwrapArgs(spec, { identity: 'mapped', etcDir: '/r/etc', haveTime: false });
    expect(args.join(' ')).toContain('--userns-block-fd 6');
    expect(args).not.toContain('--uid');
    expect(args.at(-7)).toContain('setpriv --reuid=65534 --regid=65534 --clear-groups');
    expect(args.at(-7)).toContain('ulimit -p "$2" && ulimit -n "$4"');
  });
});

describe.skipIf(reason !== null)(`runSandboxed${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'maestro-sandbox-'));
    chmodSync(root, 0o755);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const run = async (command: string, extra: Partial<SandboxSpec> = {}) => {
    const lines: string[] = [];
    const outcome = await runSandboxed(
      {
        command,
        outDir: join(root, `out-${Math.random().toString(36).slice(2)}`),
        env: { ONLY: 'declared' },
        network: false,
        mode: 'bwrap',
        runtimeDir: join(root, 'rt'),
        resources: { memoryMB: 256, pids: 64, tmpMB: 8, timeoutSec: 10 },
        ...extra,
      },
      { line: (s, l) => void lines.push(`${s}: ${l}`) },
    );
    return { outcome, lines };
  };

  it('clears the environment down to what is declared', async () => {
    process.env.MAESTRO_LEAK_CHECK = 'leaked';
    const { lines } = await run('env | sort');
    delete process.env.MAESTRO_LEAK_CHECK;
    expect(lines).toContain('stdout: ONLY=declared');
    expect(lines).toContain('stdout: HOME=/tmp');
    expect(lines.join('\n')).not.toContain('leaked');
  });

  it('measures CPU, peak RSS and wall time, and audits /tmp and /out writes', async () => {
    const { outcome } = await run('i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; head -c 1000 /dev/zero > /tmp/z; head -c 10 /dev/zero > /out/o');
    expect(outcome.exitCode).toBe(0);
    expect(outcome.usage.cpuSec).toBeGreaterThan(0.05);
    expect(outcome.usage.peakRssMB).toBeGreaterThan(0.5);
    expect(outcome.usage.wallSec).toBeGreaterThanOrEqual(outcome.usage.cpuSec! * 0.5);
    expect(outcome.usage.bytesWritten).toBe(1010);
    expect(outcome.writes.map((w) => [w.path, w.size])).toEqual([
      ['/tmp/z', 1000],
      ['/out/o', 10],
    ]);
    expect(outcome.writes.every((w) => w.allocated! >= w.size && /^[0-9a-f]{64}$/.test(w.sha256!))).toBe(true);
  });

  it('warns when the workspace is not readable by the sandbox user (root hosts)', async () => {
    if (process.getuid?.() !== 0) return;
    const ws = join(root, 'private-ws');
    mkdirSync(ws, { mode: 0o700 });
    writeFileSync(join(ws, 'f'), 'x');
    const { lines } = await run('cat /workspace/f', { workspace: ws });
    expect(lines[0]).toContain('is not readable by the sandbox user (uid 65534)');
    expect(lines.join('\n')).toContain('Permission denied');
  });
});
