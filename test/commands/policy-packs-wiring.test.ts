// Issue 6 acceptance through the CLI: plan/run decided by the packs (exit 3 on deny), warnings,
// a tampered pack refused, plan --explain naming rule and file:line.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maestro, ROOT, tempHome } from '../helpers/cli.js';

const HELLO = join(ROOT, 'fixtures', 'manifests', 'hello.yaml');

let home: { home: string; cleanup(): void };
const run = (args: string[], env: Record<string, string> = {}) => maestro(home.home, args, env);
beforeAll(() => {
  home = tempHome('mc-wiring-');
});
afterAll(() => home.cleanup());

describe('packs enforced at plan and run', () => {
  it("plan shows each pack's verdict and --explain names the rules with file:line", () => {
    const r = run(['plan', HELLO, '--explain']);
    expect(r.code, r.stderr).toBe(0);
    for (const id of ['budget', 'quota', 'rbac', 'residency', 'resource-class', 'sandbox-required']) expect(r.stdout).toContain(id);
    expect(r.stdout).toMatch(/policies\/[a-z-]+\/policy\.rego:\d+/);
  });

  it('a tenant at its concurrency cap is denied (exit 3) with the quota and the numbers', () => {
    expect(run(['tenants', 'set', 'default', '--max-concurrent', '0']).code).toBe(0);
    const r = run(['run', HELLO]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/denied: tenant default at concurrency quota \(0\/0 running\)/);
    expect(run(['tenants', 'set', 'default', '--max-concurrent', '25']).code).toBe(0);
  });

  it('budget: warns past 80% of the daily cap and denies past 100% (exit 3) with the numbers', () => {
    const est = run(['plan', HELLO, '--json']).json().estimatedCostUSD as number;
    expect(est).toBeGreaterThan(0);
    const cap = (x: number) => (Math.ceil(x * 1e6) / 1e6).toFixed(6);
    // aim at 95% of the cap: hello's first-run estimate is tiny (~$0.0001), so rounding the cap up to the
    // micro-dollar moves the share by a few points
    expect(run(['tenants', 'set', 'default', '--daily-budget', cap(est / 0.95)]).code).toBe(0);
    const warn = run(['plan', HELLO, '--explain']);
    expect(warn.code, warn.stderr).toBe(0);
    expect(warn.stdout + warn.stderr).toMatch(/budget: tenant default would reach 9\d\.\d% of its daily budget/);
    expect(run(['tenants', 'set', 'default', '--daily-budget', cap(est / 2)]).code).toBe(0);
    const deny = run(['plan', HELLO]);
    expect(deny.code).toBe(3);
    expect(deny.stdout + deny.stderr).toMatch(
      /budget: tenant default would exceed its daily budget: spent \$0\.00 \+ estimate \$0\.0\d+ = \$0\.0\d+, over the \$0\.0\d+ cap \((199\.\d|200\.0)%\)/,
    );
    expect(run(['tenants', 'set', 'default', '--daily-budget', '100']).code).toBe(0);
  });

  it('a residency mismatch is denied', () => {
    const r = run(['plan', HELLO, '--region', 'EU']);
    expect(r.code).toBe(3);
    expect(r.stdout + r.stderr).toContain('residency: workflow hello runs in region US but the request is for region EU');
  });

  it('a tampered pack (one byte changed after signing) is refused', () => {
    const packs = join(mkdtempSync(join(tmpdir(), 'mc-wiring-packs-')), 'policies');
    cpSync(join(ROOT, 'policies'), packs, { recursive: true });
    const env = { MAESTRO_PACKS_DIR: packs };
    expect(run(['policy', 'packs', 'sign', 'quota'], env).code).toBe(0);
    const file = join(packs, 'quota', 'policy.rego');
    const buf = readFileSync(file);
    buf[buf.length - 3] = buf[buf.length - 3]! ^ 1;
    writeFileSync(file, buf);
    const r = run(['plan', HELLO], env);
    expect(r.code).toBe(3);
    expect(r.stdout + r.stderr).toContain('pack quota refused: its signature does not verify');
  });
});
