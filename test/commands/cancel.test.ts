/** Detach, follow, cancel, quota admission and crash recovery, with real processes. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maestro, tempHome } from '../helpers/cli.js';
import { maestroAsync, processesWith, waitFor, writeManifest } from '../runner/e2e-helpers.js';
import { unavailableReason } from '../runner/escape/helpers.js';

const reason = unavailableReason();

describe.skipIf(reason !== null)(`detach, cancel, quota, recovery${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const h = tempHome();
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'maestro-cancel-'));
  });
  afterAll(() => h.cleanup());

  it('--detach prints the published execution at once; logs --follow streams it to the end', () => {
    const m = writeManifest(dir, 'detached', [{ id: 'a', run: 'echo start; sleep 1; echo end' }]);
    const r = maestro(h.home, ['run', m, '--detach', '--json']);
    expect(r.code).toBe(0);
    const rec = r.json();
    expect(['queued', 'running']).toContain(rec.status);
    expect(rec.tasks).toEqual([expect.objectContaining({ id: 'a' })]);
    const f = maestro(h.home, ['logs', rec.id, '--follow']);
    expect(f.stdout.trim().split('\n')).toEqual(['a  | start', 'a  | end']);
    expect(maestro(h.home, ['status', rec.id, '--json']).json().status).toBe('succeeded');
  });

  it('cancel stops a running execution and kills its sandbox', async () => {
    const marker = `cancel-marker-${process.pid}`;
    const m = writeManifest(dir, 'to-cancel', [{ id: 'long', run: `sleep 60; echo ${marker}` }, { id: 'after', run: 'true', needs: ['long'] }]);
    const id = maestro(h.home, ['run', m, '--detach', '--json']).json().id;
    await waitFor(() => processesWith(marker).length > 0, 15_000, 'the sandboxed task');
    const c = maestro(h.home, ['cancel', id]);
    expect(c.code).toBe(0);
    expect(c.stdout).toContain(`cancelled ${id}`);
    await waitFor(() => processesWith(marker).length === 0, 10_000, 'the sandbox to die');
    const rec = await waitFor(() => {
      const s = maestro(h.home, ['status', id, '--json']).json();
      return s.tasks[0].status !== 'running' && s;
    });
    expect(rec.status).toBe('cancelled');
    expect(Object.fromEntries(rec.tasks.map((t: any) => [t.id, t.status]))).toEqual({ long: 'cancelled', after: 'cancelled' });
    expect(maestro(h.home, ['cancel', id]).stdout).toContain('had already finished');
  });

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

  it('crash safety: a killed runner leaves no sandbox, and the next invocation marks the execution failed', async () => {
    const marker = `crash-marker-${process.pid}`;
    const m = writeManifest(dir, 'crash', [{ id: 'long', run: `sleep 60; echo ${marker}` }]);
    const run = maestroAsync(h.home, ['run', m, '--json']);
    await waitFor(() => processesWith(marker).length > 0, 15_000, 'the sandboxed task');
    run.kill('SIGKILL');
    await run.done;
    const rec = maestro(h.home, ['status', '--json']).json();
    expect(rec.status).toBe('failed');
    expect(rec.reason).toMatch(/^runner process \d+ died while the execution was running/);
    expect(rec.tasks[0].status).toBe('failed');
    await waitFor(() => processesWith(marker).length === 0, 10_000, 'leftover sandboxes to be gone');
  });
});
