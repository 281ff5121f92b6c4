/** The first run of fixtures/manifests/hello.yaml (issues 15 and 18): a guess said plainly, drift in words, then history. */
import { afterAll, describe, expect, it } from 'vitest';
import { maestro, tempHome } from '../helpers/cli.js';
import { unavailableReason } from '../runner/escape/helpers.js';

const reason = unavailableReason();
const HELLO = 'fixtures/manifests/hello.yaml';

describe.skipIf(reason !== null)(`hello.yaml first run${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const h = tempHome('maestro-first-run-');
  afterAll(() => h.cleanup());

  it('plans a trivial first run near its actual, says it is a guess, reports drift readably, then plans from history', () => {
    const plan = maestro(h.home, ['plan', HELLO, '--json']).json();
    expect(plan.guessSources).toEqual({ history: 0, priors: 0, declared: 0, default: 2 });
    // two base fees and next to no CPU, not 2 × 30 s at full CPU ($0.0063)
    expect(plan.estimatedCostUSD).toBeLessThan(0.0002);
    const human = maestro(h.home, ['plan', HELLO]);
    expect(human.stdout).toContain('greet: no history: a guess (a trivial command: echo)');

    const run = maestro(h.home, ['run', HELLO]);
    expect(run.code).toBe(0);
    const line = run.stdout.split('\n').find((l) => l.startsWith('cost'))!;
    expect(line).toMatch(/estimated \$0\.\d+ \(a guess: no history\), actual \$0\.\d+: first run of this workflow \(no history; a guess\): actual /);
    expect(line).not.toMatch(/-\d{3,}\.\d%/);

    const status = maestro(h.home, ['status', '--json']).json();
    expect(status.cost.firstRun).toBe(true);
    expect(status.cost.estimateSource).toBe('default');
    expect(Math.abs(status.cost.driftPct)).toBeLessThan(50);

    const next = maestro(h.home, ['plan', HELLO, '--json']).json();
    expect(next.guessSources.history).toBe(2);
    expect(next.tasks[0].basis.guess.note).toBe('from 1 earlier run of this task');
  });
});
