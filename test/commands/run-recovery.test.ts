/** Crash safety: executions of a killed runner are failed and their leftovers killed. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maestro, tempHome } from '../helpers/cli.js';
import { maestroAsync, processesWith, waitFor, writeManifest } from '../runner/e2e-helpers.js';
import { unavailableReason } from '../runner/escape/helpers.js';

const reason = unavailableReason();

describe.skipIf(reason !== null)(`crash recovery${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const h = tempHome();
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'maestro-cancel-'));
  });
  afterAll(() => h.cleanup());

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

  it('crash safety: an unsandboxed task left behind by a killed runner is killed by the next invocation', async () => {
    const marker = `crash-none-marker-${process.pid}`;
    const m = writeManifest(dir, 'crash-none', [{ id: 'long', run: `sleep 60; echo ${marker}` }]);
    // The sandbox-required pack denies --sandbox none unless the tenant allows it.
    expect(maestro(h.home, ['tenants', 'set', 'default', '--no-require-sandbox']).code).toBe(0);
    const run = maestroAsync(h.home, ['run', m, '--sandbox', 'none', '--json']);
    await waitFor(() => processesWith(marker).length > 0, 15_000, 'the task');
    run.kill('SIGKILL');
    await run.done;
    // Nothing ties an unsandboxed task to its runner: it survives until recovery kills its process group.
    expect(processesWith(marker).length).toBeGreaterThan(0);
    const rec = maestro(h.home, ['status', '--json']).json();
    expect(rec.status).toBe('failed');
    await waitFor(() => processesWith(marker).length === 0, 10_000, 'recovery to kill the leftover task');
  });
});
