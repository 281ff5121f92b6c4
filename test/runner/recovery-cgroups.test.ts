/**
 * Crash recovery kills what a dead runner left running through the runner's task cgroups, not by
 * command line: a sandbox whose process group was never recorded (the runner died between starting
 * the launcher and recording it) is found by its cgroup t-<runner pid>-… and killed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeCgroups, sweepStaleCgroups } from '../../src/runner/cgroup.js';
import { hostId, recoverOrphans } from '../../src/runner/recovery.js';
import { type Db, openDb } from '../../src/store/db.js';
import { getExecution, type NewExecution } from '../../src/store/executions.js';
import { admit } from '../../src/store/queue.js';

const host = probeCgroups().host;
if (!host) console.warn(`test/runner/recovery-cgroups: skipped: ${probeCgroups().reason ?? 'no usable cgroup hierarchy'}`);

let dir: string;
let db: Db;
const T0 = Date.parse('2026-03-01T10:00:00.000Z');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mc-recover-cg-'));
  db = openDb(join(dir, 'm.db'));
  db.prepare(
    "insert into tenants (id, name, max_concurrent, daily_budget_micros, created_at) values ('ta', 'n-ta', 100, 10000, '2026-01-01T00:00:00.000Z')",
  ).run();
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.runIf(host !== null)('recovery and task cgroups', () => {
  it("a dead runner's unrecorded sandbox is killed through its cgroup, and the execution fails", async () => {
    const dead = spawn('true');
    await new Promise((r) => dead.on('exit', r));
    const pid = dead.pid!;
    const row: NewExecution = {
      id: 'ex_00000000000000000000000001',
      tenant_id: 'ta',
      subject: 's',
      workflow_name: 'w',
      manifest_digest: 'sha256:x',
      manifest_path: null,
      sandbox: 'bwrap',
      estimated_cost_micros: null,
      published_at: new Date(T0).toISOString(),
      dir: join(dir, 'ex'),
      detached: 0,
    };
    const r = admit(db, {
      row,
      tasks: [{ id: 'a', digest: 'd' }],
      maxConcurrent: 100,
      wait: false,
      budget: null,
      holder: { owner: `w-${hostId()}-${pid}-ab`, pid, pidStart: '1' },
      nowMs: Date.now(),
      leaseMs: 60_000,
      quotaReason: () => 'quota',
      budgetReason: () => 'budget',
    });
    expect(r.admitted).toBe(true);
    // The sandbox it left: a process in the runner's task cgroup, with no process group on record
    // and a command line that names nothing of the execution.
    const name = `t-${pid}-0c0c0c0c0c0c`;
    for (const b of Object.values(host!.bases)) mkdirSync(join(b, name), { recursive: true });
    const left = spawn('sleep', ['60'], { stdio: 'ignore' });
    const exited = new Promise((res) => left.on('exit', (_c, sig) => res(sig)));
    for (const b of Object.values(host!.bases)) writeFileSync(join(b, name, 'cgroup.procs'), String(left.pid));

    const out = recoverOrphans(db, new Date().toISOString(), Date.now());
    expect(out.map((o) => [o.id, o.outcome])).toEqual([[row.id, 'failed']]);
    expect(out[0]!.killedSandboxes).toBeGreaterThanOrEqual(1);
    expect(out[0]!.reason).toMatch(new RegExp(`^runner process ${pid} died`));
    expect(await exited).toBe('SIGKILL');
    for (let i = 0; i < 50 && Object.values(host!.bases).some((b) => existsSync(join(b, name))); i++) {
      sweepStaleCgroups(host);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const b of Object.values(host!.bases)) expect(existsSync(join(b, name))).toBe(false);
    expect(getExecution(db, row.id)!.status).toBe('failed');
  });
});
