import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recoverOrphans, recoverOrphansRecently } from '../../src/runner/recovery.js';
import { type Db, openDb } from '../../src/store/db.js';
import { getExecution, type NewExecution } from '../../src/store/executions.js';
import { admit } from '../../src/store/queue.js';

let dir: string;
let db: Db;
let seq = 0;
const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const LATER = T0 + 3600_000;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mc-recover-'));
  db = openDb(join(dir, 'm.db'));
  db.prepare(
    "insert into tenants (id, name, max_concurrent, daily_budget_micros, created_at) values ('ta', 'n-ta', 100, 10000, '2026-01-01T00:00:00.000Z')",
  ).run();
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An execution admitted (held) by a worker on another host whose lease expired an hour ago. */
function heldByLostWorker(): string {
  seq += 1;
  const row: NewExecution = {
    id: `ex_${String(seq).padStart(26, '0')}`,
    tenant_id: 'ta',
    subject: 's',
    workflow_name: 'w',
    manifest_digest: 'sha256:x',
    manifest_path: null,
    sandbox: 'none',
    estimated_cost_micros: null,
    published_at: new Date(T0).toISOString(),
    dir: null,
    detached: 0,
  };
  const r = admit(db, {
    row,
    tasks: [{ id: 'a', digest: 'd' }],
    maxConcurrent: 100,
    wait: false,
    budget: null,
    holder: { owner: 'w-elsewhere-4242-ab', pid: 4242, pidStart: '1' },
    nowMs: T0,
    leaseMs: 1000,
    quotaReason: () => 'quota',
    budgetReason: () => 'budget',
  });
  expect(r.admitted).toBe(true);
  return row.id;
}

describe('recoverOrphansRecently (the publish path)', () => {
  it('skips the pass when this process ran one on the store within the gap, and runs it after', async () => {
    const first = heldByLostWorker();
    const at = new Date(LATER).toISOString();
    expect(recoverOrphansRecently(db, at, LATER, 200).map((r) => r.id)).toEqual([first]);
    const second = heldByLostWorker();
    // Within the gap: nothing read, the lost worker's execution is still held.
    expect(recoverOrphansRecently(db, at, LATER, 200)).toEqual([]);
    const held = getExecution(db, second)!;
    expect(held.lease_owner).toBe('w-elsewhere-4242-ab');
    await sleep(250);
    const [r] = recoverOrphansRecently(db, at, LATER, 200);
    expect(r?.id).toBe(second);
    // A foreground run whose worker is lost ends failed, naming the worker.
    expect(r?.outcome).toBe('failed');
    expect(getExecution(db, second)).toMatchObject({ status: 'failed' });
    expect(getExecution(db, second)!.reason).toContain('w-elsewhere-4242-ab');
  });

  it('counts a full pass (a pool recovering) as recent, and the full pass itself never skips', () => {
    const at = new Date(LATER).toISOString();
    expect(recoverOrphans(db, at, LATER)).toEqual([]);
    const id = heldByLostWorker();
    expect(recoverOrphansRecently(db, at, LATER, 60_000)).toEqual([]);
    expect(recoverOrphans(db, at, LATER).map((r) => r.id)).toEqual([id]);
  });

  it('keeps the gap per store: another store is recovered at once', () => {
    const at = new Date(LATER).toISOString();
    expect(recoverOrphans(db, at, LATER)).toEqual([]);
    const other = openDb(join(dir, 'other.db'));
    try {
      other
        .prepare(
          "insert into tenants (id, name, max_concurrent, daily_budget_micros, created_at) values ('ta', 'n-ta', 100, 10000, '2026-01-01T00:00:00.000Z')",
        )
        .run();
      const saved = db;
      db = other;
      const id = heldByLostWorker();
      db = saved;
      expect(recoverOrphansRecently(other, at, LATER, 60_000).map((r) => r.id)).toEqual([id]);
    } finally {
      other.close();
    }
  });
});
