/** Crash safety: executions of a killed runner are failed and their leftovers killed. */
import { existsSync, mkdtempSync } from 'node:fs';
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
    // The task leaves a file once it runs: past the gate where it waits for its runner to record it.
    const began = join(dir, `${marker}.began`);
    const m = writeManifest(dir, 'crash-none', [{ id: 'long', run: `touch ${began}; sleep 60; echo ${marker}` }]);
    // The sandbox-required pack denies --sandbox none unless the tenant allows it.
    expect(maestro(h.home, ['tenants', 'set', 'default', '--no-require-sandbox']).code).toBe(0);
    const run = maestroAsync(h.home, ['run', m, '--sandbox', 'none', '--json']);
    await waitFor(() => existsSync(began) && processesWith(marker).length > 0, 15_000, 'the task');
    run.kill('SIGKILL');
    await run.done;
    // Nothing ties an unsandboxed task to its runner: it survives until recovery kills its process group.
    expect(processesWith(marker).length).toBeGreaterThan(0);
    const rec = maestro(h.home, ['status', '--json']).json();
    expect(rec.status).toBe('failed');
    await waitFor(() => processesWith(marker).length === 0, 10_000, 'recovery to kill the leftover task');
  });

  it('an unsandboxed task whose runner dies before recording it never starts (it waits at a gate)', async () => {
    const { spawn } = await import('node:child_process');
    const { UNSANDBOXED_GATE } = await import('../../src/runner/sandbox.js');
    const ran = join(dir, `gate-${process.pid}.ran`);
    // The runner's side of the gate: stdin closes without the go line, as when the runner is killed.
    const child = spawn('/bin/sh', ['-c', UNSANDBOXED_GATE, `touch ${ran}`], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.stdin.end();
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(125);
    expect(existsSync(ran)).toBe(false);
    // With the go line, the same command runs.
    const ok = spawn('/bin/sh', ['-c', UNSANDBOXED_GATE, `touch ${ran}`], { stdio: ['pipe', 'ignore', 'ignore'] });
    ok.stdin.end('go\n');
    expect(await new Promise((r) => ok.on('exit', r))).toBe(0);
    expect(existsSync(ran)).toBe(true);
  });
});
