/** `maestro plan` end to end: the real CLI, a temp state home, fixtures from the repo. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { maestro, tempHome } from '../helpers/cli.js';

const t = tempHome('maestro-plan-');
afterAll(() => t.cleanup());
const run = (args: string[], env: Record<string, string> = {}) => maestro(t.home, args, env);
const FIXTURE = 'fixtures/cost-bench/13-fan-out-in.yaml';

describe('maestro plan', () => {
  it('prints the plan as JSON: tasks in topological order, per-task and total estimatedCostUSD, every basis', () => {
    const r = run(['plan', FIXTURE, '--json']);
    expect(r.code).toBe(0);
    const plan = r.json();
    expect(typeof plan.estimatedCostUSD).toBe('number');
    expect(plan.estimatedCostUSD).toBe(plan.estimatedCostMicros / 1e6);
    expect(plan.tasks.map((x: { id: string }) => x.id)).toEqual(['prepare', 'w1', 'w2', 'w3', 'w4', 'join']);
    const sum = plan.tasks.reduce((s: number, x: { estimatedCostMicros: number }) => s + x.estimatedCostMicros, 0);
    expect(plan.estimatedCostMicros).toBe(sum);
    const prepare = plan.tasks[0];
    expect(prepare.resources).toMatchObject({ cpu: 1, memoryMB: 128, timeoutSec: 60, expectedSec: 1 });
    expect(prepare.basis.guess.source).toBe('declared');
    expect(plan.tasks[1].basis.guess.source).toBe('default');
    expect(prepare.basis.prices).toEqual({ vcpuSecondUSD: 0.00011, gbSecondUSD: 0.000011, gbWrittenUSD: 0.05, baseFeeUSD: 0.0001 });
    expect(plan.guessSources).toEqual({ history: 0, priors: 0, declared: 2, default: 4 });
    // intervals (issue 18): on the plan and on each task, low ≤ point ≤ high; wide without history
    for (const x of [plan, ...plan.tasks]) {
      expect(Object.keys(x.estimateInterval).sort()).toEqual(['highUSD', 'lowUSD']);
      expect(x.estimateInterval.lowUSD).toBeLessThanOrEqual(x.estimatedCostUSD);
      expect(x.estimateInterval.highUSD).toBeGreaterThan(x.estimatedCostUSD);
    }
    expect(plan.estimateInterval.highUSD).toBe(plan.highCostUSD);
    expect(r.stderr).toContain('created state home');
  });

  it('prints a human table with the basis, and the total', () => {
    const r = run(['plan', FIXTURE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Plan: fan-out-in\s+\(6 tasks, class medium, region US\)/);
    expect(r.stdout).toMatch(/estimatedCostUSD\s+\$0\.\d+/);
    expect(r.stdout).toContain('declared: 1s wall');
    expect(r.stdout).toContain('default: 60s wall');
    expect(r.stdout).toContain('shell/medium: $0.00011/vCPU-s (CPU time)');
    // no history: the output says the figures are guesses and what each rests on
    expect(r.stdout).toContain('no history for any task: the estimate is a guess, resting on:');
    expect(r.stdout).toContain('w1: no history: a guess from the medium class default (60s at full CPU)');
    expect(r.stdout).toContain('prepare: no history: a guess from the declared expectedSec (1s)');
    expect(r.stdout).toMatch(/estimatedCostUSD\s+\$0\.\d+\s+\(p10–p90 \$0\.\d+–\$\d+\.\d+\)\s+guess/);
    expect(r.stderr).toBe('');
  });

  it('applies $MAESTRO_HOME/prices.json and --prices, and rejects a bad table with file:line:col (exit 2)', () => {
    const base = run(['plan', FIXTURE, '--json']).json();
    writeFileSync(join(t.home, 'prices.json'), JSON.stringify({ kinds: { shell: { medium: { baseFeeUSD: 0.01 } } } }));
    const home = run(['plan', FIXTURE, '--json']).json();
    expect(home.estimatedCostMicros - base.estimatedCostMicros).toBe(6 * (10_000 - 100));
    expect(home.prices.sources).toEqual([join(t.home, 'prices.json')]);
    const dir = join(t.home, 'x');
    mkdirSync(dir, { recursive: true });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{\n  "kinds": { "shell": { "medium": { "vcpuSecondUSD": "cheap" } } }\n}\n');
    const r = run(['plan', FIXTURE, '--prices', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:2:54: shell.medium.vcpuSecondUSD must be a non-negative number of USD`);
    expect(r.stdout).toBe('');
  });

  it('fails cleanly on a missing manifest (exit 5) and an invalid one (exit 2)', () => {
    expect(run(['plan', 'fixtures/nope.yaml']).code).toBe(5);
    const bad = join(t.home, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: maestro/v1\nkind: Workflow\n');
    expect(run(['plan', bad, '--json']).code).toBe(2);
  });

  it('needs the plan permission: a viewer is refused with exit 4', () => {
    expect(run(['tenants', 'members', 'set', 'default', 'vic@x.io', 'viewer']).code).toBe(0);
    const token = run(['login', '--tenant', 'default', '--subject', 'vic@x.io', '--print']).stdout.trim();
    const r = run(['plan', FIXTURE], { MAESTRO_TOKEN: token });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/"plan" needs the composer role/);
  });
});
