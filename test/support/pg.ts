/**
 * A throwaway PostgreSQL cluster for tests: initdb into a temp dir as a non-root user, trust auth for
 * loopback (and any extra listen addresses), a free port, the socket dir inside the temp dir.
 * @example
 *   const reason = pgSkipReason();
 *   const cluster = await startPgCluster(); const url = await cluster.createDatabase('t1'); await cluster.stop();
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PgCluster {
  /** Superuser URL of the default database (postgres://postgres@127.0.0.1:port/postgres). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly binDir: string;
  /** Stop the server and remove every file it made. Idempotent. */
  stop(): Promise<void>;
  /** Stop and start again on the same port and data (mode 'fast' by default; 'immediate' simulates a crash). */
  restart(opts?: { mode?: 'fast' | 'immediate'; downMs?: number }): Promise<void>;
  /** Stop the server without removing its data (for outage tests); start() brings it back. */
  halt(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Create a database and return its URL. */
  createDatabase(name: string): Promise<string>;
}

const NOBODY = 65534;

/** The directory holding initdb/pg_ctl/postgres, or null. */
export function pgBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return join(root, versions[0]!, 'bin');
  }
  const r = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (r.status === 0) {
    const dir = r.stdout.trim();
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  return null;
}

/** Why the PostgreSQL suites cannot run on this host, or null when they can. */
export function pgSkipReason(): string | null {
  const reason = pgMissing();
  // CI installs the server binaries: there a missing PostgreSQL is a failure, never a skip.
  if (reason && process.env.MAESTRO_REQUIRE_PG === '1') throw new Error(`MAESTRO_REQUIRE_PG=1 but ${reason}`);
  return reason;
}

function pgMissing(): string | null {
  if (!pgBinDir()) {
    return 'no PostgreSQL server binaries (no /usr/lib/postgresql/*/bin/initdb, no `pg_config --bindir`); install the Debian package `postgresql`';
  }
  if (process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status !== 0) {
    return 'running as root without setpriv: cannot run initdb as a non-root user';
  }
  return null;
}

function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Run a PostgreSQL binary as the non-root owner of the cluster. */
function runAs(bin: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const asRoot = process.getuid?.() === 0;
  const file = asRoot ? 'setpriv' : bin;
  const argv = asRoot ? [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', bin, ...args] : args;
  try {
    return execFileSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C', ...env } });
  } catch (cause) {
    const e = cause as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${bin} ${args.join(' ')} failed: ${e.stderr || e.stdout || e.message}`);
  }
}

const live = new Set<() => void>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const kill of live) kill();
  });
}

/**
 * Start a fresh cluster. `listen` adds addresses to listen on (besides 127.0.0.1) and trusts their subnets.
 */
export async function startPgCluster(opts: { listen?: string[] } = {}): Promise<PgCluster> {
  const binDir = pgBinDir();
  if (!binDir) throw new Error(pgSkipReason() ?? 'no PostgreSQL binaries');
  const root = mkdtempSync(join(tmpdir(), 'maestro-pg-'));
  const dataDir = join(root, 'data');
  const sockDir = join(root, 'sock');
  const logFile = join(root, 'server.log');
  mkdirSync(sockDir);
  if (process.getuid?.() === 0) {
    for (const p of [root, sockDir]) chownSync(p, NOBODY, NOBODY);
  }
  const host = '127.0.0.1';
  const port = await freePort(host);
  const listen = ['127.0.0.1', ...(opts.listen ?? [])].join(',');
  const pgCtl = join(binDir, 'pg_ctl');
  let stopped = false;
  const kill = () => {
    try {
      runAs(pgCtl, ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
    } catch {
      // already down
    }
    rmSync(root, { recursive: true, force: true });
  };
  installExitHook();
  live.add(kill);
  try {
    runAs(join(binDir, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions', '-N']);
    const extra = [
      `listen_addresses = '${listen}'`,
      `port = ${port}`,
      `unix_socket_directories = '${sockDir}'`,
      'max_connections = 200',
      'shared_buffers = 32MB',
      'fsync = on',
      'synchronous_commit = on',
      'max_wal_size = 256MB',
      "log_min_messages = 'warning'",
      "log_line_prefix = '%m [%p] '",
    ];
    appendFileSync(join(dataDir, 'postgresql.conf'), `\n# maestro test cluster\n${extra.join('\n')}\n`);
    if (opts.listen?.length) appendFileSync(join(dataDir, 'pg_hba.conf'), '\nhost all all samenet trust\n');
  } catch (cause) {
    kill();
    live.delete(kill);
    throw cause;
  }
  const start = async () => {
    try {
      runAs(pgCtl, ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60']);
    } catch (cause) {
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
      throw new Error(`${(cause as Error).message}\n${log}`);
    }
  };
  const halt = async (mode: 'fast' | 'immediate' = 'fast') => {
    runAs(pgCtl, ['stop', '-D', dataDir, '-m', mode, '-w', '-t', '60']);
  };
  try {
    await start();
  } catch (cause) {
    kill();
    live.delete(kill);
    throw cause;
  }
  const url = `postgres://postgres@${host}:${port}/postgres`;
  return {
    url,
    host,
    port,
    dataDir,
    binDir,
    start,
    halt,
    async stop() {
      if (stopped) return;
      stopped = true;
      live.delete(kill);
      kill();
    },
    async restart(o = {}) {
      await halt(o.mode ?? 'fast');
      if (o.downMs) await new Promise((r) => setTimeout(r, o.downMs));
      await start();
    },
    async createDatabase(name: string) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`create database ${name}`);
      } finally {
        await c.end();
      }
      return `postgres://postgres@${host}:${port}/${name}`;
    },
  };
}
