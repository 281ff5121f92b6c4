/**
 * Recovery tells dead holders from live ones (issue 16 item 2): a zombie's /proc entry is not a live
 * process, a recycled pid does not match the recorded start time, and a lease held by a dead process
 * on this host is reclaimed at once. Real processes (a real zombie), real SQLite.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processStartTime, sameProcessAlive } from '../../src/core/proc.js';
import { hostId, recoverOrphans } from '../../src/runner/recovery.js';
import { openDb } from '../../src/store/db.js';
import { getExecution } from '../../src/store/executions.js';
import { waitFor } from '../runner/e2e-helpers.js';

const children: Array<{ kill(): void }> = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill();
});

function procState(pid: number): string | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[0]!;
  } catch {
    return null;
  }
}

/** A real zombie: `sleep 30` (exec'd from sh) never reaps the short-lived child sh started. */
async function makeZombie(): Promise<number> {
  const parent = spawn('/bin/sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push({ kill: () => parent.kill('SIGKILL') });
  const pid = await new Promise<number>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  await waitFor(() => procState(pid) === 'Z', 5000, 'the child to become a zombie');
  return pid;
}

describe('recovery liveness', () => {
  it('a zombie is dead; a live process is alive only with its own start time', async () => {
    const zombie = await makeZombie();
    expect(readFileSync(`/proc/${zombie}/stat`, 'utf8')).toBeTruthy(); // the /proc entry is still there
    expect(sameProcessAlive(zombie, null)).toBe(false);
    const me = processStartTime(process.pid)!;
    expect(sameProcessAlive(process.pid, me)).toBe(true);
    expect(sameProcessAlive(process.pid, String(Number(me) + 1))).toBe(false); // a recycled pid
    expect(sameProcessAlive(2 ** 22 + 7, null)).toBe(false);
  });

  it('an execution leased to a zombie on this host is reclaimed at once (no wait for the lease), naming the worker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-live-'));
    const db = openDb(join(dir, 'm.db'));
    try {
      const zombie = await makeZombie();
      const live = spawn('sleep', ['30']);
      children.push({ kill: () => live.kill('SIGKILL') });
      await waitFor(() => processStartTime(live.pid!) !== null, 5000, 'the live holder');
      db.prepare("insert into tenants (id, name, created_at) values ('t', 't', '2026-01-01T00:00:00.000Z')").run();
      const now = Date.now();
      const insert = db.prepare(`insert into executions (id, tenant_id, subject, workflow_name, manifest_digest, status, published_at, detached,
        lease_owner, lease_expires_at, runner_pid, runner_start, attempts) values (?, 't', 's', 'w', 'd', 'running', '2026-01-01T00:00:00.000Z', 1, ?, ?, ?, ?, 1)`);
      const dead = `w-${hostId()}-${zombie}-aa`;
      const alive = `w-${hostId()}-${live.pid}-bb`;
      insert.run('ex_dead', dead, now + 60_000, zombie, processStartTime(zombie));
      insert.run('ex_live', alive, now + 60_000, live.pid, processStartTime(live.pid!));
      // Expired, but its holder is provably alive here: trusted within the grace (a starved heartbeat).
      insert.run('ex_slow', alive, now - 1000, live.pid, processStartTime(live.pid!));
      // Expired and held on another host: reclaimed on lease expiry alone (retried: no task had started).
      insert.run('ex_remote', 'w-ffffffffff-1-cc', now - 1000, 1, '1');
      db.prepare("insert into task_runs (execution_id, task_id, seq, status, command_digest) values ('ex_dead', 'a', 0, 'running', 'd')").run();
      const out = recoverOrphans(db, new Date(now).toISOString(), now);
      expect(out.map((r) => [r.id, r.outcome]).sort()).toEqual([
        ['ex_dead', 'failed'],
        ['ex_remote', 'requeued'],
      ]);
      expect(getExecution(db, 'ex_dead')!.reason).toBe(`runner process ${zombie} died while the execution was running (worker ${dead})`);
      expect(getExecution(db, 'ex_remote')).toMatchObject({ status: 'queued', lease_owner: null });
      expect(getExecution(db, 'ex_remote')!.reason).toMatch(
        /^retried: worker w-ffffffffff-1-cc \(pid 1\) stopped heartbeating while the execution was running: its lease expired at .*, before any task started$/,
      );
      expect(db.prepare("select status from task_runs where execution_id = 'ex_dead'").get()).toEqual({ status: 'failed' });
      expect(getExecution(db, 'ex_live')!.status).toBe('running');
      expect(getExecution(db, 'ex_slow')!.status).toBe('running');
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
