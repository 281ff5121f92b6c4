/**
 * Leaks found by the attack suite (issue 13 items 4-9): /out quota and sparse files, descriptors
 * inherited from the launcher, RLIMIT_NOFILE, log flood, env values on command lines, workspace
 * sockets/FIFOs/devices, abstract unix sockets of the host. Each attack has a host control.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeCgroups } from '../../../src/runner/cgroup.js';
import { landlockAbi } from '../../../src/runner/landlock.js';
import { runSandboxed } from '../../../src/runner/sandbox.js';
import { BIN, ROOT } from '../../helpers/cli.js';
import { buildProbe, inSandbox, onHost, type Probe, unavailableReason } from './helpers.js';

const reason = unavailableReason();
const isRoot = process.getuid?.() === 0;
const MiB = 1048576;

/** Every host process command line that contains `needle`. */
function cmdlinesWith(needle: string): string[] {
  const hits: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const c = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (c.includes(needle)) hits.push(`${pid}: ${c.replace(/\0/g, ' ')}`);
    } catch {
      /* exited */
    }
  }
  return hits;
}

/** Hosts without a cgroup refuse runs of sandbox-requiring tenants (ADR 0017): let this test's tenant run with a warning. */
function allowWithoutCgroups(home: string): void {
  if (probeCgroups().host) return;
  const r = spawnSync(process.execPath, [BIN, 'tenants', 'set', 'default', '--no-require-sandbox'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, USER: 'tester', MAESTRO_HOME: home, NO_COLOR: '1' },
  });
  expect(r.status, r.stderr).toBe(0);
}

describe.skipIf(reason !== null)(`escape: leaks${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let p: Probe;
  beforeAll(() => {
    p = buildProbe();
  });
  afterAll(() => p?.cleanup());

  it('/out quota: 4 x 8 MiB under outMB 16 stops the task with the reason; the host writes it all', async () => {
    const r = await inSandbox(p, 'for i in 1 2 3 4; do head -c 8388608 /dev/urandom > /out/f$i; sleep 0.3; done; sleep 5', { outMB: 16, memoryMB: 256 });
    expect(r.outcome.exceeded).toBe('outMB');
    expect(r.outcome.reason).toMatch(/resources\.outMB \(16 MiB\)/);
    const total = r.outcome.writes.filter((w) => w.path.startsWith('/out/')).reduce((n, w) => n + w.size, 0);
    expect(total).toBeLessThanOrEqual(24 * MiB); // stopped within one write past the quota
    const host = join(p.root, 'host-out');
    mkdirSync(host);
    expect(spawnSync('/bin/sh', ['-c', `for i in 1 2 3 4; do head -c 8388608 /dev/urandom > ${host}/f$i; done`]).status).toBe(0);
    expect(readdirSync(host)).toHaveLength(4);
  });

  it('/out quota: a task that exits 0 after passing it still fails', async () => {
    const r = await inSandbox(p, 'head -c 12582912 /dev/urandom > /out/a; head -c 12582912 /dev/urandom > /out/b', { outMB: 16 });
    expect(r.outcome.exitCode === 0 || r.outcome.exceeded === 'outMB').toBe(true);
    expect(r.outcome.exceeded).toBe('outMB');
  });

  it('one file cannot pass outMB, and a 4 GiB sparse file is refused (EFBIG); the host makes one', async () => {
    const r = await inSandbox(p, 'truncate -s 4G /out/sparse; echo "truncate=$?"; head -c 20971520 /dev/zero > /out/big; echo "head=$?"', {
      outMB: 8,
      tmpMB: 4,
    });
    expect(r.stdout).toMatch(/^truncate=(1|153)$/m); // EFBIG or SIGXFSZ (128+25)
    expect(r.stdout).toMatch(/^head=(153|1)$/m); // SIGXFSZ (128+25) or EFBIG
    const big = r.outcome.writes.find((w) => w.path === '/out/big');
    expect(big!.size).toBeLessThanOrEqual(8 * MiB);
    const host = join(p.root, 'host-sparse');
    expect(spawnSync('truncate', ['-s', '4G', host]).status).toBe(0);
  });

  it('a sparse file is recorded with its allocated bytes beside its apparent size, and billed by allocation', async () => {
    const r = await inSandbox(p, 'truncate -s 6M /out/holes; printf x >> /out/holes', { outMB: 8 });
    const w = r.outcome.writes.find((x) => x.path === '/out/holes')!;
    expect(w.size).toBe(6 * MiB + 1);
    expect(w.allocated).toBeLessThan(1 * MiB);
    expect(w.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.outcome.usage.bytesWritten).toBeLessThan(1 * MiB);
  });

  it('RLIMIT_NOFILE is resources.fds: the 65th open fails with EMFILE under fds 64; the host opens more', async () => {
    const r = await inSandbox(p, 'ulimit -n; /workspace/probe openmany 100', { fds: 64 });
    expect(r.stdout).toBe('64\nopened 61\nerrno EMFILE'); // 0-2 are open
    expect(onHost(p, ['openmany', '100'])).toBe('opened 100\nok 100');
  });

  it('log flood: 8 MiB of output under logMB 1 keeps at most 1 MiB, marks the cut, and the task succeeds', async () => {
    const lines: string[] = [];
    let bytes = 0;
    const outcome = await runSandboxed(
      {
        command: 'yes 0123456789abcdef0123456789abcdef | head -c 8388608',
        outDir: join(p.root, 'flood-out'),
        env: {},
        network: false,
        mode: 'bwrap',
        runtimeDir: join(p.root, 'runtime'),
        resources: { memoryMB: 256, pids: 64, tmpMB: 8, timeoutSec: 30, logMB: 1 },
      },
      {
        line: () => undefined,
        lines: (_s, ls) => {
          for (const l of ls) {
            bytes += l.length + 1;
            lines.push(l);
          }
        },
      },
    );
    expect(outcome.exitCode).toBe(0);
    expect(bytes).toBeLessThan(1 * MiB + 512);
    expect(lines.filter((l) => l.startsWith('maestro: log truncated'))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/^maestro: \d+ bytes of output were dropped \(resources\.logMB 1 MiB\)$/);
    const host = spawnSync('/bin/sh', ['-c', 'yes 0123456789abcdef0123456789abcdef | head -c 8388608 | wc -c'], { encoding: 'utf8' });
    expect(host.stdout.trim()).toBe('8388608');
  });

  it('env values are on no command line (host /proc/*/cmdline, nor /proc/1/cmdline inside); the control finds a value that is', async () => {
    const secret = `s3cr3t-${process.pid}-${Date.now()}`;
    const watcher = spawn('/bin/sh', ['-c', 'sleep 30', secret]);
    try {
      let found: string[] = [];
      for (let i = 0; i < 50 && found.length === 0; i++) {
        await new Promise((res) => setTimeout(res, 50));
        found = cmdlinesWith(secret);
      }
      expect(found.length).toBeGreaterThan(0); // control: the scan sees a value put on a command line
    } finally {
      watcher.kill('SIGKILL');
    }
    const seen: string[][] = [];
    const run = runSandboxed(
      {
        command: 'echo "$SECRET"; tr "\\0" " " < /proc/1/cmdline; echo; sleep 1',
        outDir: join(p.root, 'env-out'),
        env: { SECRET: secret },
        network: false,
        mode: 'bwrap',
        runtimeDir: join(p.root, 'runtime'),
        resources: { memoryMB: 256, pids: 64, tmpMB: 8, timeoutSec: 30 },
      },
      { line: (_s, l) => void seen.push([l]) },
    );
    await new Promise((res) => setTimeout(res, 500));
    const during = cmdlinesWith(secret);
    const outcome = await run;
    expect(outcome.exitCode).toBe(0);
    expect(during).toEqual([]);
    expect(seen[0]).toEqual([secret]); // the task still gets it
    expect(seen[1]![0]).not.toContain(secret);
    expect(seen[1]![0]).not.toContain(p.root); // no host paths (outDir, runtime dir) in pid 1's command line
  });

  it('descriptors of whoever launches maestro do not reach the task (close_range); the launching shell can read through them', async () => {
    const dir = join(p.root, 'fdleak');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'ws'), { mode: 0o755 });
    writeFileSync(join(dir, 'ws', 'probe'), readFileSync(p.probe), { mode: 0o755 });
    const secretFile = join(dir, 'root-only');
    writeFileSync(secretFile, 'top secret\n', { mode: 0o600 });
    writeFileSync(
      join(dir, 'm.yaml'),
      `${[
        'apiVersion: maestro/v1',
        'kind: Workflow',
        'metadata: { name: fds }',
        'spec:',
        '  region: US',
        '  resourceClass: small',
        '  workspace: ./ws',
        '  tasks:',
        '    - id: t',
        '      uses: shell',
        '      run: "/workspace/probe fds; /workspace/probe readfd 50; true"',
      ].join('\n')}\n`,
    );
    const home = join(dir, 'home');
    allowWithoutCgroups(home);
    const fd = openSync(secretFile, 'r');
    const stdio: Array<'ignore' | 'pipe' | number> = Array.from({ length: 51 }, (_v, i) => (i === 1 || i === 2 ? 'pipe' : 'ignore'));
    stdio[50] = fd;
    const child = spawn(process.execPath, [BIN, 'run', join(dir, 'm.yaml'), '--json'], {
      cwd: ROOT,
      stdio,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, USER: 'tester', MAESTRO_HOME: home, NO_COLOR: '1' },
    });
    closeSync(fd);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const code = await new Promise((res) => child.on('close', res));
    expect(code, `${out}\n${err}`).toBe(0);
    const id = JSON.parse(out).id as string;
    const log = readFileSync(join(home, 'executions', id, 'logs', 't.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).line as string);
    expect(log).toContain('open 0');
    expect(log).toContain('errno EBADF');
    // Host control: a process started with the same fd 50 reads the root-only file through it.
    const fd2 = openSync(secretFile, 'r');
    const host = spawnSync(p.probe, ['readfd', '50'], {
      stdio: [...Array.from({ length: 50 }, (_v, i) => (i === 1 ? 'pipe' : 'ignore')), fd2] as never,
      encoding: 'utf8',
    });
    closeSync(fd2);
    expect(host.stdout.trim()).toBe('ok 11');
  }, 60_000);

  describe('workspace special files', () => {
    let server: Server;
    let sock: string;
    beforeAll(async () => {
      sock = join(p.workspace, 'host.sock');
      server = createServer((c) => c.end());
      await new Promise<void>((res) => server.listen(sock, res));
      chmodSync(sock, 0o777);
      spawnSync('mkfifo', ['-m', '666', join(p.workspace, 'fifo')]);
      if (isRoot) spawnSync('mknod', ['-m', '666', join(p.workspace, 'zero'), 'c', '1', '5']);
    });
    afterAll(() => new Promise<void>((res) => server.close(() => res())));

    it('a host unix socket in the workspace is not connectable inside (masked); the host connects', async () => {
      const r = await inSandbox(p, '/workspace/probe connect-unix /workspace/host.sock');
      expect(r.stdout).toMatch(/^errno (ECONNREFUSED|ENOTSOCK|EACCES)$/);
      expect(r.outcome.isolation?.masked).toBeGreaterThanOrEqual(2);
      expect(onHost(p, ['connect-unix', sock])).toBe('ok 0');
    });

    it('a FIFO in the workspace reaches no host reader (an empty read-only file inside); the host sees a FIFO', async () => {
      const r = await inSandbox(p, 'test -p /workspace/fifo && echo fifo || echo masked; echo x > /workspace/fifo; echo "write=$?"');
      expect(r.stdout).toMatch(/^masked\nwrite=[12]$/);
      expect(spawnSync('test', ['-p', join(p.workspace, 'fifo')]).status).toBe(0);
    });

    it.runIf(isRoot)('a device node in the workspace gives nothing inside; the host reads it', async () => {
      const r = await inSandbox(p, 'head -c 4 /workspace/zero | wc -c');
      expect(r.stdout.trim()).toBe('0');
      expect(spawnSync('/bin/sh', ['-c', `head -c 4 ${join(p.workspace, 'zero')} | wc -c`], { encoding: 'utf8' }).stdout.trim()).toBe('4');
    });
  });

  it("a network task cannot connect to the host's abstract unix sockets (Landlock scope, ABI >= 6); the host can", async () => {
    const abi = landlockAbi().version;
    const name = `maestro-test-${process.pid}`;
    // The listener is the probe, not Node: Node 20 binds abstract names with the full address length and
    // Node 22 with the exact one, and the probe connects with the exact length as Linux tools do.
    const server = spawn(p.probe, ['listen-unix', `@${name}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((res, rej) => {
      server.stdout!.on('data', (d: Buffer) => (d.toString().includes('ready') ? res() : rej(new Error(`listener: ${d}`))));
      server.once('exit', (code) => rej(new Error(`listener exited ${code}`)));
    });
    try {
      expect(onHost(p, ['connect-unix', `@${name}`])).toBe('ok 0');
      const r = await inSandbox(p, `/workspace/probe connect-unix @${name}`, {}, true);
      if (abi >= 6) {
        expect(r.stdout).toBe('errno EPERM');
        expect(r.outcome.isolation?.landlock).toMatch(/abstract-unix/);
      } else {
        expect(r.outcome.isolation?.warnings.join(' ')).toMatch(/Landlock scopes unavailable/);
      }
      // Without network the task has its own network namespace: the abstract name does not exist there.
      expect((await inSandbox(p, `/workspace/probe connect-unix @${name}`)).stdout).toBe('errno ECONNREFUSED');
    } finally {
      server.kill('SIGKILL');
    }
  });

  it("`maestro logs` shows a task's terminal escapes (OSC 52, title, cursor moves) escaped; --json and the log file keep the exact text", () => {
    const dir = join(p.root, 'termesc');
    mkdirSync(join(dir, 'ws'), { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(
      join(dir, 'm.yaml'),
      `${[
        'apiVersion: maestro/v1',
        'kind: Workflow',
        'metadata: { name: esc }',
        'spec:',
        '  region: US',
        '  resourceClass: small',
        '  workspace: ./ws',
        '  tasks:',
        '    - id: t',
        '      uses: shell',
        `      run: ${JSON.stringify("printf '\\033]52;c;cHduZWQ=\\007\\033]0;title\\007\\033[1A\\033[2Ksucceeded\\n'")}`,
      ].join('\n')}\n`,
    );
    const home = join(dir, 'home');
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, USER: 'tester', MAESTRO_HOME: home, NO_COLOR: '1' };
    allowWithoutCgroups(home);
    const run = spawnSync(process.execPath, [BIN, 'run', join(dir, 'm.yaml'), '--json'], { cwd: ROOT, encoding: 'utf8', env });
    expect(run.status, run.stderr).toBe(0);
    const id = JSON.parse(run.stdout).id as string;
    const raw = '\x1b]52;c;cHduZWQ=\x07\x1b]0;title\x07\x1b[1A\x1b[2Ksucceeded';
    // Control: the task really wrote the escapes (the log file and --json keep them byte for byte).
    const file = readFileSync(join(home, 'executions', id, 'logs', 't.ndjson'), 'utf8');
    expect(JSON.parse(file.trim().split('\n')[0]!).line).toBe(raw);
    const json = spawnSync(process.execPath, [BIN, 'logs', id, '--json'], { cwd: ROOT, encoding: 'utf8', env });
    expect(JSON.parse(json.stdout.trim().split('\n')[0]!).line).toBe(raw);
    const human = spawnSync(process.execPath, [BIN, 'logs', id], { cwd: ROOT, encoding: 'utf8', env });
    expect(human.status).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserts that no control character reaches the terminal
    expect(human.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(human.stdout).toContain('\\x1b]52;c;cHduZWQ=\\x07');
  }, 60_000);
});
