/**
 * Budget admission is atomic (issue 11): 50 parallel publishes from separate processes against a daily
 * budget that fits 4 of them admit at most 4, whatever the interleaving.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlite } from '../../src/store/sqlite-driver.js';
import { maestro, tempHome } from '../helpers/cli.js';
import { maestroAsync, waitFor, writeManifest } from '../runner/e2e-helpers.js';
import { unavailableReason } from '../runner/escape/helpers.js';

// better-sqlite3 12 or 13 by Node major, as the engine picks it (ADR 0034).
const Database = sqlite();

const reason = unavailableReason();
// A long lease: under heavy machine load a 2 s lease can expire, fail an admitted run and free its budget
// (correct behaviour, but it would let a fifth run in and blur what this test checks).
const ENV = { MAESTRO_LEASE_MS: '120000', MAESTRO_WORKER_IDLE_MS: '1500', MAESTRO_PDP_TIMEOUT_MS: '20000' };

describe.skipIf(reason !== null)(`atomic budget admission${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const h = tempHome();
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'maestro-admission-'));
    expect(maestro(h.home, ['init'], ENV).code).toBe(0);
  });
  afterAll(() => h.cleanup());

  it('50 parallel run --detach against a budget that fits 4: at most 4 admitted, the rest denied by the budget', async () => {
    const m = writeManifest(dir, 'budgeted', [{ id: 'b', run: 'sleep 30', timeoutSec: 60 }]);
    const estimate = maestro(h.home, ['plan', m, '--json'], ENV).json().estimatedCostUSD as number;
    expect(estimate).toBeGreaterThan(0);
    const estMicros = Math.round(estimate * 1e6);
    // Room for 4.5 estimates: the fifth never fits, whatever order the publishes land in.
    const cap = ((estMicros * 9) / 2 / 1e6).toFixed(6);
    expect(maestro(h.home, ['tenants', 'set', 'default', '--daily-budget', cap, '--max-concurrent', '100'], ENV).code).toBe(0);
    const runs = Array.from({ length: 50 }, () => maestroAsync(h.home, ['run', m, '--detach', '--json'], ENV));
    const results = await Promise.all(runs.map((r) => r.done));
    const records = results.map((r) => ({ code: r.code, rec: r.code === 0 || r.code === 3 ? r.json() : null, err: r.stderr }));
    for (const r of records) expect([0, 3], r.err).toContain(r.code);
    const admitted = records.filter((r) => r.code === 0);
    const denied = records.filter((r) => r.code === 3);
    expect(admitted.length).toBeLessThanOrEqual(4);
    expect(admitted.length).toBeGreaterThanOrEqual(1);
    expect(admitted.length + denied.length).toBe(50);
    for (const d of denied) expect(d.rec.reason).toMatch(/budget/);
    // The store agrees: never more than 4 executions held the budget at once.
    const db = new Database(join(h.home, 'maestro.db'), { readonly: true });
    try {
      const live = db
        .prepare("select count(*) as n, coalesce(sum(estimated_cost_micros), 0) as s from executions where status in ('queued', 'running', 'succeeded')")
        .get() as { n: number; s: number };
      expect(live.n).toBeLessThanOrEqual(4);
      expect(live.s).toBeLessThanOrEqual(Math.round(Number(cap) * 1e6));
    } finally {
      db.close();
    }
    expect(maestro(h.home, ['cancel', '--all', '--json'], ENV).code).toBe(0);
    await waitFor(
      () => {
        const d = new Database(join(h.home, 'maestro.db'), { readonly: true });
        try {
          // Ended and sealed: the worker writes nothing more into the home the clean-up removes.
          return (d.prepare("select count(*) as n from executions where status in ('queued', 'running') or sealed = 0").get() as { n: number }).n === 0;
        } finally {
          d.close();
        }
      },
      20_000,
      'the cancelled executions to end and be sealed',
    );
  }, 300_000);
});
