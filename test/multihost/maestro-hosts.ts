/**
 * maestro on network-namespace hosts: `serve` and `worker` started inside a host with the built
 * bin/run.js, their own temp MAESTRO_HOME and MAESTRO_DATABASE_URL pointing at the cluster on the
 * gateway; HTTP publishes from the test process; and the marker count that proves "ran exactly once".
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, maestro, ROOT } from '../helpers/cli.js';
import type { Host } from '../support/netns.js';

/** Bounded capture of a child's output (the last 256 KiB). */
export class Captured {
  text = '';
  constructor(readonly child: ChildProcess) {
    const add = (d: Buffer) => {
      this.text = (this.text + String(d)).slice(-262_144);
    };
    child.stdout?.on('data', add);
    child.stderr?.on('data', add);
  }
  exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }
  async stop(): Promise<void> {
    if (this.exited()) return;
    const done = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await done;
    clearTimeout(t);
  }
}

const baseEnv = (home: string, dbUrl: string, extra: Record<string, string>): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  USER: 'tester',
  NO_COLOR: '1',
  MAESTRO_HOME: home,
  MAESTRO_DATABASE_URL: dbUrl,
  MAESTRO_SUBJECT: 'root@local',
  ...extra,
});

/** `maestro <args>` in the test process (root namespace), against the database on loopback. */
export function cli(home: string, dbUrl: string, args: string[], env: Record<string, string> = {}) {
  const r = maestro(home, args, { MAESTRO_DATABASE_URL: dbUrl, MAESTRO_SUBJECT: 'root@local', ...env });
  if (r.code !== 0) throw new Error(`maestro ${args.join(' ')}: exit ${r.code}\n${r.stderr}${r.stdout}`);
  return r;
}

/** A tenant with the given concurrency quota and daily budget (USD), root@local its admin; returns a token. */
export function tenant(home: string, dbUrl: string, name: string, maxConcurrent: number, dailyBudget: string): string {
  cli(home, dbUrl, ['tenants', 'create', name]);
  cli(home, dbUrl, ['tenants', 'set', name, '--max-concurrent', String(maxConcurrent), '--daily-budget', dailyBudget]);
  cli(home, dbUrl, ['tenants', 'members', 'set', name, 'root@local', 'admin']);
  return cli(home, dbUrl, ['login', '--tenant', name, '--subject', 'root@local', '--print']).stdout.trim();
}

/** `maestro serve` inside a host, bound to the host's address; resolves with its URL as seen from the root namespace. */
export async function startServe(
  host: Host,
  home: string,
  dbUrl: string,
  env: Record<string, string> = {},
  hide: string[] = [],
): Promise<{ url: string; proc: Captured }> {
  mkdirSync(home, { recursive: true });
  const child = host.spawn(process.execPath, [BIN, 'serve', '--host', host.addr, '--port', '0', '--workers', '0', '--json', '--database-url', dbUrl], {
    cwd: ROOT,
    env: baseEnv(home, dbUrl, env),
    stdio: ['ignore', 'pipe', 'pipe'],
    hide,
  });
  const proc = new Captured(child);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve on ${host.name} did not start:\n${proc.text}`)), 60_000);
    const look = () => {
      const m = /"url":\s*"([^"]+)"/.exec(proc.text);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve on ${host.name} exited ${code}:\n${proc.text}`));
    });
  });
  return { url, proc };
}

/** `maestro worker` inside a host with its own state home. Its events (claimed/succeeded <id>) go to stderr. */
export function startWorker(host: Host, home: string, dbUrl: string, concurrency: number, env: Record<string, string> = {}, hide: string[] = []): Captured {
  mkdirSync(home, { recursive: true });
  const child = host.spawn(process.execPath, [BIN, 'worker', '--concurrency', String(concurrency), '--database-url', dbUrl], {
    cwd: ROOT,
    env: baseEnv(home, dbUrl, env),
    stdio: ['ignore', 'pipe', 'pipe'],
    hide,
  });
  return new Captured(child);
}

/** A one-task workflow: appends a fresh random line to /out/ran (the marker), then runs `then`. */
export const markerManifest = (name: string, then = 'true') =>
  [
    'apiVersion: maestro/v1',
    'kind: Workflow',
    `metadata: { name: ${name} }`,
    'spec:',
    '  region: US',
    '  resourceClass: small',
    '  tasks:',
    '    - id: t',
    '      uses: shell',
    `      run: ${JSON.stringify(`cat /proc/sys/kernel/random/uuid >> /out/ran; ${then}`)}`,
    '      resources: { cpu: 0.1, memoryMB: 64, timeoutSec: 60, expectedSec: 1 }',
    '',
  ].join('\n');

export interface PublishResult {
  http: number;
  id?: string;
  status?: string;
  reason?: string | null;
  error?: { code: string; message: string };
}

/** POST /api/executions (bounded: 60 s). */
export async function publish(url: string, token: string, body: Record<string, unknown>): Promise<PublishResult> {
  const res = await fetch(`${url}/api/executions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  return { http: res.status, ...((await res.json()) as Omit<PublishResult, 'http'>) };
}

/** Run fn over items with at most `limit` in flight. */
export async function pooled<T, R>(items: T[], limit: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

/**
 * Marker lines an execution's task wrote, over every place its /out could be: each state home's
 * executions/<id>/out/t/ran and the directory the store recorded. Two runs leave two lines (same
 * directory, appended) or two files (different homes): either way the count says how often it ran.
 */
export function markerCount(id: string, homes: string[], recordedDir: string | null): number {
  const files = new Set(homes.map((h) => join(h, 'executions', id, 'out', 't', 'ran')));
  if (recordedDir) files.add(join(recordedDir, 'out', 't', 'ran'));
  let lines = 0;
  for (const f of files)
    if (existsSync(f))
      lines += readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '').length;
  return lines;
}

/** Execution ids the worker's event lines name with a final status ("succeeded ex_…", "failed ex_…"). */
export function finishedBy(output: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of output.matchAll(/\b(succeeded|failed|cancelled) (ex_[0-9a-z]+)/g)) out.set(m[2]!, m[1]!);
  return out;
}

/** Wait (bounded) until check() holds; throws with `what` on timeout. */
export async function until(check: () => boolean | Promise<boolean>, ms: number, what: string, everyMs = 250): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Whether `maestro serve` and `maestro worker` of the built CLI take --database-url yet. */
export function databaseUrlSupported(): string | null {
  for (const cmd of ['serve', 'worker']) {
    const r = spawnSync(process.execPath, [BIN, cmd, '--help'], { encoding: 'utf8', timeout: 30_000 });
    if (!r.stdout.includes('--database-url')) return `the built CLI's \`maestro ${cmd}\` has no --database-url (npm run build; PostgreSQL backend not merged?)`;
  }
  return null;
}
