/**
 * The cost room against the real runner: `maestro run` (bwrap) writes execution.json, and the runner's
 * finished hook prices and books its measured usage (the one right outcome: a run without booked actuals
 * fails this test), which becomes history that the next plan uses.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/core/context.js';
import { costSummary, planExecution, recordActuals, spentTodayMicros } from '../../src/cost/index.js';
import { loadManifest } from '../../src/manifest/index.js';
import { openSession } from '../../src/tenancy/index.js';
import { maestro, tempHome } from '../helpers/cli.js';

const hasBwrap = (() => {
  try {
    execFileSync('bwrap', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const required = process.env.MAESTRO_REQUIRE_SANDBOX === '1';
if (!hasBwrap && !required) console.warn('run-integration: skipped, bwrap is not installed (set MAESTRO_REQUIRE_SANDBOX=1 to fail instead)');

const t = tempHome('maestro-cost-run-');
afterAll(() => t.cleanup());
const FIXTURE = 'fixtures/cost-bench/12-sleep-then-cpu.yaml';

describe.skipIf(!hasBwrap && !required)('cost × runner', () => {
  it('prices a real run, books it, and plans the next one from its history', async () => {
    const run = maestro(t.home, ['run', FIXTURE, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const { id } = run.json();
    const record = JSON.parse(readFileSync(join(t.home, 'executions', id, 'execution.json'), 'utf8'));
    expect(record.tasks.map((x: { id: string }) => x.id)).toEqual(['wait', 'work']);

    const ctx = createContext({ env: { MAESTRO_HOME: t.home, USER: 'tester', HOME: process.env.HOME }, home: t.home });
    const session = await openSession(ctx);
    try {
      const loaded = await loadManifest(FIXTURE, { cwd: process.cwd() });
      // The runner's finished hook is wired: the run itself priced and booked its actuals.
      const booked = costSummary(session.store, id)!;
      expect(booked.actualUSD).not.toBeNull();
      expect(booked.actualUSD).toBeGreaterThan(0);
      expect(run.json().cost.actualUSD).toBe(booked.actualUSD);
      // Booking again is a no-op (idempotent), and gives the same figures the hook booked.
      const again = recordActuals(session, record, {});
      expect(again.recorded).toBe(false);
      expect(again.actualUSD).toBe(booked.actualUSD);
      // sleep 0.5 then an 8M-iteration awk loop: both ran, the loop used measurable CPU
      const work = again.tasks.find((x) => x.id === 'work')!;
      expect(work.usage!.cpuSec).toBeGreaterThan(0.05);
      expect(work.usage!.wallSec).toBeGreaterThan(0);
      expect(again.actualCostMicros).toBeGreaterThan(2 * 50); // two base fees plus CPU
      expect(spentTodayMicros(session.store, session.tenant, ctx.clock.now())).toBeGreaterThanOrEqual(again.actualCostMicros);

      // ... and became history: the next plan guesses both tasks from it.
      const after = planExecution(session, loaded);
      expect(after.guessSources).toEqual({ history: 2, priors: 0, declared: 0, default: 0 });
      expect(after.tasks[1]!.basis.guess.cpuSec).toBe(Math.round(work.usage!.cpuSec * 1000) / 1000);
    } finally {
      session.close();
    }
  });
});
