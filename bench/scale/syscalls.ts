/**
 * bench/scale/syscalls: system calls of `maestro serve`'s main thread per execution (load-independent,
 * unlike the burst's timings). Starts a real server (embedded pool, real sandbox), attaches
 * `strace -c` to its main thread only (`--threads all`: every thread it has after a warm-up execution,
 * libuv's pool included; never -f, so the sandboxes it forks are not counted), publishes --n (200) `sleep 1` executions with --inflight (16) requests at once, waits
 * until every one has ended and has its receipt, detaches and prints the counts divided by --n.
 * Usage: node dist/bench/scale/syscalls.js [--n 200] [--inflight 16] [--threads main|all]
 *          [--root DIR (the maestro checkout to measure: bin/run.js and dist/; default this one)]
 *          [--sandbox bwrap|none] [--out FILE.json] [--raw FILE (every file call with its path instead)]
 *          [--cpu (no strace: the server's CPU ms per execution, main thread and whole process)]
 *          [--process serve|pool (the pool's own `maestro worker --serve` child, ADR 0037, instead of serve)]
 * Needs strace and permission to attach (root, or ptrace_scope 0). Every process it starts is stopped.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Client, cliAt, pooled } from './client.js';
import { descendantsOf } from './procs.js';

function opt(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
}

const ROOT = resolve(opt('root', resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')));
const BIN = join(ROOT, 'bin', 'run.js');
const N = Number(opt('n', '200'));
const INFLIGHT = Number(opt('inflight', '16'));
const ALL_THREADS = opt('threads', 'main') === 'all';
const round = (x: number) => Math.round(x * 100) / 100;

const manifest = `apiVersion: maestro/v1\nkind: Workflow\nmetadata: { name: syscalls }\nspec:\n  region: US\n  resourceClass: small\n  tasks:\n    - { id: t, uses: shell, run: "sleep 1", resources: { cpu: 0.1, memoryMB: 64, timeoutSec: 600, expectedSec: 1 } }\n`;

const cli = (home: string, args: string[]): string => cliAt(BIN, home, args);

/** `strace -c` summary rows: syscall → calls (errors counted in). */
export function parseStraceSummary(text: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$/.exec(line);
    if (m && m[2] !== 'total') calls.set(m[2]!, Number(m[1]));
  }
  return calls;
}

/** utime + stime of a process (or one of its threads), ms (USER_HZ 100). */
function cpuMs(statPath: string): number {
  const f = readFileSync(statPath, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) * 10;
}

async function until(deadlineMs: number, everyMs: number, done: () => Promise<boolean> | boolean): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (await done()) return true;
    await sleep(everyMs);
  }
  return false;
}

async function main(): Promise<void> {
  if (spawnSync('strace', ['-V']).status !== 0) throw new Error('strace is not installed (apt-get install strace)');
  const dir = mkdtempSync(join(tmpdir(), 'mc-bench-syscalls-'));
  const home = join(dir, 'home');
  const traceFile = join(dir, 'strace.txt');
  const procs: ChildProcess[] = [];
  let server: ChildProcess | undefined;
  try {
    cli(home, ['init']);
    cli(home, ['tenants', 'create', 'sys']);
    cli(home, ['tenants', 'set', 'sys', '--max-concurrent', '100000', '--daily-budget', '1000000']);
    cli(home, ['tenants', 'members', 'set', 'sys', 'root@local', 'admin']);
    const token = cli(home, ['login', '--tenant', 'sys', '--subject', 'root@local', '--print']);
    const sandbox = opt('sandbox', existsSync('/usr/bin/bwrap') ? 'bwrap' : 'none');
    if (sandbox === 'none') cli(home, ['tenants', 'set', 'sys', '--no-require-sandbox']);
    server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--json', '--workers', '2000'], {
      env: { ...process.env, MAESTRO_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const url = await new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new Error('serve did not start in 60 s')), 60_000);
      server!.stdout!.on('data', (d) => {
        out += String(d);
        const m = /"url":\s*"([^"]+)"/.exec(out);
        if (m) {
          clearTimeout(timer);
          res(m[1]!);
        }
      });
      server!.once('exit', (c) => rej(new Error(`serve exited ${c}`)));
    });
    const c = new Client(url, token);
    // Warm-up: one execution before tracing, so one-off work (pack compile, key load, cgroup bases) is left out.
    const warm = await c.publish(manifest, { sandbox });
    if (!warm.id || (warm.status !== 'queued' && warm.status !== 'running'))
      throw new Error(`the warm-up execution was not admitted: ${warm.status}: ${warm.reason ?? warm.error}`);
    await until(60_000, 250, () => existsSync(join(home, 'executions', warm.id, 'receipt.sigstore.json')));
    await sleep(1000);
    // --cpu: no strace; the server's CPU time over the same work instead (main thread and whole process).
    const cpuMode = process.argv.includes('--cpu');
    // The pool runs inside serve (MAESTRO_SERVE_POOL=inline, or a maestro without ADR 0037) or in its
    // `maestro worker --serve` child: --process pool traces that child, serve (default) the server.
    const poolPid = descendantsOf(server.pid!).find((pid) => {
      try {
        return /\0worker\0--serve/.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1'));
      } catch {
        return false;
      }
    });
    const wantPool = opt('process', 'serve') === 'pool';
    if (wantPool && poolPid === undefined)
      throw new Error(
        `--process pool: this server runs its pool inside its own process (no worker --serve child among ${descendantsOf(server.pid!)
          .map((p) => {
            try {
              return readFileSync(`/proc/${p}/cmdline`, 'latin1').replaceAll('\0', ' ');
            } catch {
              return String(p);
            }
          })
          .join('; ')})`,
      );
    const target = wantPool ? poolPid! : server.pid!;
    const procs2 = [server.pid!, ...(poolPid === undefined ? [] : [poolPid])];
    const cpuOf = () => procs2.map((pid) => ({ pid, main: cpuMs(`/proc/${pid}/task/${pid}/stat`), all: cpuMs(`/proc/${pid}/stat`) }));
    const cpu0 = cpuOf();
    // --raw FILE: the main thread's file calls one per line (paths shown) instead of the summary, for reading.
    const raw = opt('raw', '');
    const how = raw ? ['-e', 'trace=%file,%desc', '-e', 'signal=none', '-s', '0', '-o', resolve(raw)] : ['-c', '-o', traceFile];
    // --threads all: every thread the server has after the warm-up (libuv's pool, V8's, the policy
    // evaluation threads), each attached by id; without -f, so the sandboxes it forks are not traced.
    const tids = ALL_THREADS ? readdirSync(`/proc/${target}/task`) : [String(target)];
    const strace = cpuMode ? undefined : spawn('strace', [...how, ...tids.flatMap((t) => ['-p', t])], { stdio: ['ignore', 'ignore', 'pipe'] });
    let attached = '';
    if (strace) {
      procs.push(strace);
      strace.stderr!.on('data', (d) => (attached += String(d)));
      if (!(await until(10_000, 50, () => (attached.match(/attached/gi) ?? []).length >= tids.length))) throw new Error(`strace did not attach: ${attached}`);
    }
    const t0 = Date.now();
    const pubs = await pooled(Array.from({ length: N }), INFLIGHT, () => c.publish(manifest, { sandbox }));
    const ids = pubs.filter((p) => p.status === 'queued' || p.status === 'running').map((p) => p.id);
    const sealed = await until(600_000, 500, () => ids.every((id) => existsSync(join(home, 'executions', id, 'receipt.sigstore.json'))));
    // The receipt comes before the evidence blobs and the sealed mark: give those a moment.
    await sleep(3000);
    const seconds = (Date.now() - t0) / 1000;
    if (!strace) {
      const cpu1 = cpuOf();
      const per = (i: number, k: 'main' | 'all') => round((cpu1[i]![k] - cpu0[i]![k]) / ids.length);
      const result = {
        root: ROOT,
        executions: ids.length,
        allSealed: sealed,
        seconds: round(seconds),
        load: loadavg().map(round),
        cpuMsPerExecution: {
          mainThread: per(0, 'main'),
          wholeServer: per(0, 'all'),
          ...(poolPid === undefined ? {} : { poolMainThread: per(1, 'main'), wholePool: per(1, 'all') }),
        },
      };
      console.log(JSON.stringify(result, null, 2));
      const outFile = opt('out', '');
      if (outFile) writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    strace.kill('SIGINT');
    await until(15_000, 100, () => strace.exitCode !== null || strace.signalCode !== null);
    if (raw) {
      console.log(`the main thread's file calls for ${ids.length} executions are in ${raw}`);
      return;
    }
    const calls = parseStraceSummary(readFileSync(traceFile, 'utf8'));
    const per = (names: string[]) => round(names.reduce((s, n) => s + (calls.get(n) ?? 0), 0) / ids.length);
    const total = [...calls.values()].reduce((s, n) => s + n, 0);
    const result = {
      root: ROOT,
      process: target === server.pid ? (poolPid === undefined ? 'serve (pool inside)' : 'serve (pool in a child)') : 'pool child (worker --serve)',
      threads: ALL_THREADS ? `all (${tids.length})` : 'main',
      executions: ids.length,
      notAdmitted: N - ids.length,
      notAdmittedWhy: [...new Set(pubs.filter((p) => !ids.includes(p.id)).map((p) => `${p.status}: ${p.reason ?? p.error ?? ''}`))].slice(0, 5),
      allSealed: sealed,
      seconds: round(seconds),
      load: loadavg().map(round),
      perExecution: {
        total: round(total / ids.length),
        // Calls on paths and directories (SQLite's pwrite/fcntl on its open files are not among them).
        fileCalls: per([
          'openat',
          'open',
          'mkdir',
          'mkdirat',
          'rename',
          'renameat',
          'renameat2',
          'statx',
          'newfstatat',
          'stat',
          'lstat',
          'access',
          'faccessat',
          'faccessat2',
          'unlink',
          'unlinkat',
          'getdents64',
          'rmdir',
          'readlink',
        ]),
        fileWrites: per(['write', 'pwrite64', 'writev', 'pwritev']),
        opens: per(['openat', 'open']),
        mkdir: per(['mkdir', 'mkdirat']),
        rename: per(['rename', 'renameat', 'renameat2']),
        stat: per(['statx', 'newfstatat', 'stat', 'lstat', 'fstat']),
        access: per(['access', 'faccessat', 'faccessat2']),
        close: per(['close']),
        reads: per(['read', 'pread64', 'readv', 'preadv']),
        unlink: per(['unlink', 'unlinkat']),
      },
      top: [...calls.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 25)
        .map(([name, n]) => ({ name, perExecution: round(n / ids.length) })),
    };
    console.log(JSON.stringify(result, null, 2));
    const outFile = opt('out', '');
    if (outFile) writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    if (server?.pid) {
      const kids = descendantsOf(server.pid);
      server.kill('SIGTERM');
      await until(15_000, 250, () => server!.exitCode !== null || server!.signalCode !== null);
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
      for (const pid of kids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
