/**
 * The example manifests must run for real through the product's runner: `maestro run` with the bwrap
 * sandbox (seccomp, uid drop, limits: whatever src/runner applies), every task succeeding.
 * long-running.yaml is left out: it sleeps ~20 s by design.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { maestro, tempHome } from '../helpers/cli.js';

const quick = ['hello', 'build-test-report', 'large-resource', 'region-us', 'region-eu', 'region-apac'];
const hasBwrap = (() => {
  try {
    execFileSync('bwrap', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const required = process.env.MAESTRO_REQUIRE_SANDBOX === '1';
if (!hasBwrap && !required) console.warn('fixtures-sandbox: skipped, bwrap is not installed (set MAESTRO_REQUIRE_SANDBOX=1 to fail instead)');

const t = tempHome('maestro-fixtures-');
afterAll(() => t.cleanup());

describe.skipIf(!hasBwrap && !required)('example manifests run through the real runner (bwrap + seccomp)', () => {
  it.each(quick)(
    '%s: maestro run succeeds, every task in the sandbox',
    (name) => {
      const r = maestro(t.home, ['run', `fixtures/manifests/${name}.yaml`, '--sandbox', 'bwrap', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const record = r.json();
      expect(record.status).toBe('succeeded');
      expect(record.sandbox).toBe('bwrap');
      expect(record.seccomp?.profile).toBeTruthy();
      expect(record.tasks.length).toBeGreaterThan(0);
      expect(record.tasks.map((x: { id: string; status: string; exitCode: number }) => [x.id, x.status, x.exitCode])).toEqual(
        record.tasks.map((x: { id: string }) => [x.id, 'succeeded', 0]),
      );
    },
    60_000,
  );
});
