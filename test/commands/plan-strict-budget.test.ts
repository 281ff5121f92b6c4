/**
 * A tenant with strict budgets (`tenants set --cost-estimate high`) is judged by `maestro plan` on the
 * estimate interval's top, the figure admission uses; by default the point estimate decides.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { maestro, tempHome } from '../helpers/cli.js';

const t = tempHome('maestro-strict-');
afterAll(() => t.cleanup());
const run = (args: string[]) => maestro(t.home, args);
const MANIFEST = 'fixtures/manifests/long-running.yaml';

describe('plan verdict and the tenant estimate basis', () => {
  it('a budget between the point estimate and the interval top: allowed by point, denied when strict', () => {
    const first = run(['plan', MANIFEST, '--json']);
    const plan = first.json();
    const point = plan.estimatedCostUSD as number;
    const high = plan.estimateInterval.highUSD as number;
    expect(high).toBeGreaterThan(point * 1.05);
    // A daily cap between the two figures (an IEEE-safe midpoint with 6 decimals).
    const cap = ((point + high) / 2).toFixed(6);
    expect(run(['tenants', 'set', 'default', '--daily-budget', cap]).code).toBe(0);
    const byPoint = run(['plan', MANIFEST, '--json']);
    expect(byPoint.code).toBe(0);
    expect(run(['tenants', 'set', 'default', '--cost-estimate', 'high']).code).toBe(0);
    const strict = run(['plan', MANIFEST, '--json']);
    expect(strict.code).toBe(3);
    expect(JSON.stringify(strict.json().policy)).toMatch(/budget/);
    expect(run(['tenants', 'set', 'default', '--cost-estimate', 'point']).code).toBe(0);
    expect(run(['plan', MANIFEST, '--json']).code).toBe(0);
  });
});
