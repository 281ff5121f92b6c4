/**
 * The cost room against the real runner: `maestro run` (bwrap) writes execution.json; its measured
 * usage is priced, booked and becomes history that the next plan uses.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/core/context.js';
import { loadManifest } from '../../src/manifest/index.js';
import { openSession } from '../../src/tenancy/index.js';
import { costSummary, planExecution, recordActuals, spentTodayMicros } from '../../src/cost/index.js';
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
      // once the runner's finished hook is wired, the run has already recorded its actuals and history
      const wired = costSummary(session.store, id)?.actualUSD !== null;
      const before = planExecution(session, loaded);
      expect(before.guessSources).toEqual(wired ? { history: 2, priors: 0, declared: 0, default: 0 } : { history: 0, priors: 0, declared: 2, default: 0 });
      const actual = recordActuals(session, record, wired ? {} : { plan: before });
      expect(actual.recorded).toBe(!wired);
      // sleep 0.5 then an 8M-iteration awk loop: both ran, the loop used measurable CPU
      const work = actual.tasks.find((x) => x.id === 'work')!;
      expect(work.usage!.cpuSec).toBeGreaterThan(0.05);
      expect(work.usage!.wallSec).toBeGreaterThan(0);
      expect(actual.actualCostMicros).toBeGreaterThan(2 * 50); // two base fees plus CPU
      expect(costSummary(session.store, id)!.actualUSD).toBe(actual.actualUSD);
      expect(spentTodayMicros(session.store, session.tenant, ctx.clock.now())).toBeGreaterThanOrEqual(actual.actualCostMicros);

      const after = planExecution(session, loaded);
      expect(after.guessSources).toEqual({ history: 2, priors: 0, declared: 0, default: 0 });
      expect(after.tasks[1]!.basis.guess.cpuSec).toBe(Math.round(work.usage!.cpuSec * 1000) / 1000);
    } finally {
      session.close();
    }
  });
});
