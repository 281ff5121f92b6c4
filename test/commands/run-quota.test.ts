/** MC-POL-702: atomic per-tenant concurrency admission, proven with parallel processes. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maestro, tempHome } from '../helpers/cli.js';
import { maestroAsync, writeManifest } from '../runner/e2e-helpers.js';
import { unavailableReason } from '../runner/escape/helpers.js';

const reason = unavailableReason();

describe.skipIf(reason !== null)(`quota admission${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const h = tempHome();
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'maestro-cancel-'));
  });
  afterAll(() => h.cleanup());

  it('quota: parallel runs never exceed the cap; the denied ones say who holds the slots (exit 3)', async () => {
    expect(maestro(h.home, ['tenants', 'set', 'default', '--max-concurrent', '2']).code).toBe(0);
    const m = writeManifest(dir, 'quota', [{ id: 'hold', run: 'sleep 5' }]);
    const runs = Array.from({ length: 4 }, () => maestroAsync(h.home, ['run', m, '--json']));
    const results = await Promise.all(runs.map((r) => r.done));
    const ok = results.filter((r) => r.code === 0).map((r) => r.json().id);
    const denied = results.filter((r) => r.code === 3);
    expect(ok).toHaveLength(2);
    expect(denied).toHaveLength(2);
    for (const d of denied) {
      const rec = d.json();
      expect(rec.status).toBe('denied');
      expect(rec.reason).toMatch(/^tenant default at concurrency quota \(2\/2 running: ex_[0-9a-z]{26}, ex_[0-9a-z]{26}\)$/);
      for (const holder of rec.reason.match(/ex_[0-9a-z]{26}/g)) expect(ok).toContain(holder);
    }
    const quick = writeManifest(dir, 'quick', [{ id: 'q', run: 'true' }]);
    expect(maestro(h.home, ['run', quick]).code).toBe(0); // the slots are free again
    expect(maestro(h.home, ['tenants', 'set', 'default', '--max-concurrent', '0']).code).toBe(0);
    const full = maestro(h.home, ['run', quick]);
    expect(full.code).toBe(3);
    expect(full.stderr).toContain('denied: tenant default at concurrency quota (0/0 running)');
    expect(maestro(h.home, ['tenants', 'set', 'default', '--max-concurrent', '25']).code).toBe(0);
  });
});
