/**
 * A throwaway PostgreSQL cluster for bench/scale/compare.ts: initdb into a temp dir (as `nobody` via
 * setpriv when run as root), a free loopback port, trust auth, removed on stop. Also reads the CPU
 * time the cluster used (postmaster + its children, exited ones included), to print beside maestro's.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NOBODY = 65534;
const TICK = 100; // USER_HZ

export interface BenchCluster {
  url(db: string): string;
  createDatabase(name: string): void;
  /** CPU seconds used by the cluster so far (postmaster, live backends, and reaped children). */
  cpuSec(): number;
  stop(): void;
}

export function pgBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const v = readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))[0];
  return v ? join(root, v, 'bin') : null;
}

function run(bin: string, args: string[]): string {
  const root = process.getuid?.() === 0;
  const [file, argv] = root ? ['setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', bin, ...args]] : [bin, args];
  return execFileSync(file as string, argv as string[], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
}

const freePort = () =>
  new Promise<number>((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });

function ticks(pid: number, withChildren: boolean): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // f[11..14] = utime, stime, cutime, cstime
    return Number(f[11]) + Number(f[12]) + (withChildren ? Number(f[13]) + Number(f[14]) : 0);
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

export async function startBenchCluster(): Promise<BenchCluster> {
  const bin = pgBinDir();
  if (!bin) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/*/bin: apt-get install -y postgresql');
  const root = mkdtempSync(join(tmpdir(), 'mc-bench-pg-'));
  const data = join(root, 'data');
  const sock = join(root, 'sock');
  mkdirSync(sock);
  if (process.getuid?.() === 0) for (const p of [root, sock]) chownSync(p, NOBODY, NOBODY);
  const port = await freePort();
  const stop = () => {
    spawnSync(process.getuid?.() === 0 ? 'setpriv' : join(bin, 'pg_ctl'), [
      ...(process.getuid?.() === 0 ? [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', join(bin, 'pg_ctl')] : []),
      'stop',
      '-D',
      data,
      '-m',
      'fast',
      '-w',
    ]);
    rmSync(root, { recursive: true, force: true });
  };
  try {
    run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
    appendFileSync(
      join(data, 'postgresql.conf'),
      `\nlisten_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = '${sock}'\nmax_connections = 300\nshared_buffers = 128MB\n`,
    );
    run(join(bin, 'pg_ctl'), ['start', '-D', data, '-l', join(root, 'server.log'), '-w', '-t', '60']);
  } catch (e) {
    stop();
    throw e;
  }
  const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    url: (db) => `postgres://postgres@127.0.0.1:${port}/${db}`,
    createDatabase: (name) => {
      run(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-qc', `create database ${name}`]);
    },
    cpuSec: () => (ticks(postmaster, true) + childrenOf(postmaster).reduce((s, c) => s + ticks(c, false), 0)) / TICK,
    stop,
  };
}
