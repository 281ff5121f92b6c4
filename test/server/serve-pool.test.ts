/**
 * With MAESTRO_SERVE_POOL=process, maestro serve's embedded pool runs in a child process it supervises
 * (ADR 0037): the child claims what serve publishes (woken over IPC), is replaced when it dies, and
 * dies with serve, even when serve is killed with SIGKILL. By default the pool lives inside serve.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlite } from '../../src/store/sqlite-driver.js';
import { maestro, tempHome } from '../helpers/cli.js';
import { type Served, serve } from '../helpers/serve.js';
import { processAlive, waitFor } from '../runner/e2e-helpers.js';
import { unavailableReason } from '../runner/escape/helpers.js';

const Database = sqlite();
const reason = unavailableReason();
const ENV = { MAESTRO_LEASE_MS: '3000', MAESTRO_SERVE_POOL: 'process' };

const manifest = (run: string) =>
  `apiVersion: maestro/v1\nkind: Workflow\nmetadata: { name: pooled }\nspec:\n  region: US\n  resourceClass: small\n  tasks:\n    - { id: t, uses: shell, run: ${JSON.stringify(run)} }\n`;

async function publish(srv: Served, token: string, run: string): Promise<string> {
  const res = await fetch(`${srv.url}/api/executions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ manifest: manifest(run), name: 'pooled.yaml' }),
  });
  const body = (await res.json()) as { id: string };
  expect(res.status).toBe(201);
  return body.id;
}

const until = <T>(what: string, get: () => T | undefined | null | false, ms = 30_000): Promise<T> => waitFor(() => get() || undefined, ms, what);

const childrenOf = (pid: number): Array<{ pid: number; args: string }> =>
  spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map((l) => {
      const m = /^\s*(\d+)\s+(.*)$/.exec(l)!;
      return { pid: Number(m[1]), args: m[2]! };
    });

const alive = processAlive;

describe.skipIf(reason !== null)(`serve's pool process${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const t = tempHome();
  let token: string;
  let db: InstanceType<typeof Database>;
  const status = (id: string) =>
    (db.prepare('select status, reason from executions where id = ?').get(id) as { status: string; reason: string | null } | undefined) ?? null;

  beforeAll(() => {
    expect(maestro(t.home, ['init']).code).toBe(0);
    token = readFileSync(join(t.home, 'token'), 'utf8').trim();
    db = new Database(join(t.home, 'maestro.db'), { readonly: true });
  });
  afterAll(() => {
    db.close();
    t.cleanup();
  });

  it('runs what serve publishes in one child process, whose pool id is serve`s worker; a killed child is replaced', async () => {
    const srv = await serve(t.home, ENV, ['--workers', '8']);
    try {
      const worker = /"worker":\s*"([^"]+)"/.exec(srv.stdout())?.[1] ?? '';
      expect(worker).toMatch(/\S/);
      const kids = childrenOf(srv.child.pid!).filter((c) => c.args.includes('worker') && c.args.includes('--serve'));
      expect(kids.length).toBe(1);
      const id = await publish(srv, token, 'echo pooled');
      await until('the execution to succeed', () => status(id)?.status === 'succeeded');
      // The pool registered by the child: kind serve, the child's pid, not serve's.
      const reg = db.prepare('select kind, pid from workers where id = ?').get(worker) as { kind: string; pid: number } | undefined;
      expect(reg).toEqual({ kind: 'serve', pid: kids[0]!.pid });
      // The child dies while an execution runs: serve starts another, which reclaims and runs new work.
      const long = await publish(srv, token, 'sleep 30');
      await until('the long execution to run', () => status(long)?.status === 'running');
      process.kill(kids[0]!.pid, 'SIGKILL');
      await until('a new pool process', () => childrenOf(srv.child.pid!).some((c) => c.args.includes('--serve') && c.pid !== kids[0]!.pid));
      expect(srv.stderr()).toMatch(/the worker pool process \d+ exited \(SIGKILL\); starting a new one/);
      const after = await publish(srv, token, 'echo after');
      await until('work published after the restart to succeed', () => status(after)?.status === 'succeeded');
      const lost = await until('the lost execution to be reclaimed', () => {
        const s = status(long);
        return s && s.status !== 'running' && s.status !== 'queued' ? s : null;
      });
      expect(lost, JSON.stringify(lost)).toMatchObject({ status: 'failed' });
      expect(lost.reason).toContain(worker);
      expect(srv.child.exitCode).toBeNull();
    } finally {
      await srv.stop();
    }
  }, 120_000);

  it('serve killed with SIGKILL takes its pool process and the sandboxes with it', async () => {
    const srv = await serve(t.home, ENV, ['--workers', '4']);
    const kid = childrenOf(srv.child.pid!).find((c) => c.args.includes('--serve'))!;
    const id = await publish(srv, token, 'exec sleep 45');
    const pgid = await until(
      'the sandbox to run',
      () => (db.prepare('select sandbox_pgid from task_runs where execution_id = ?').get(id) as { sandbox_pgid: number | null } | undefined)?.sandbox_pgid,
    );
    expect(alive(pgid)).toBe(true);
    srv.child.kill('SIGKILL');
    await until('the pool process and the sandbox to be gone', () => !alive(kid.pid) && !alive(pgid), 15_000);
  }, 120_000);

  it('by default the pool lives inside serve (no child besides the sandbox spawner)', async () => {
    const srv = await serve(t.home, { MAESTRO_LEASE_MS: '3000' }, ['--workers', '4']);
    try {
      expect(childrenOf(srv.child.pid!).filter((c) => c.args.includes('--serve'))).toEqual([]);
      const id = await publish(srv, token, 'echo inline');
      await until('the execution to succeed', () => status(id)?.status === 'succeeded');
      // Its sandboxes started through the one spawner process (ADR 0036), not by forking serve.
      expect(childrenOf(srv.child.pid!).map((c) => (c.args.includes('spawner-main.js') ? 'spawner' : c.args))).toEqual(['spawner']);
    } finally {
      await srv.stop();
    }
  }, 60_000);
});
