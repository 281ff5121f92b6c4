/** Detach, follow and cancel, with real processes. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maestro, tempHome } from '../helpers/cli.js';
import { processesWith, waitFor, writeManifest } from '../runner/e2e-helpers.js';
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
    const m = writeManifest(dir, 'to-cancel', [
      { id: 'long', run: `sleep 60; echo ${marker}` },
      { id: 'after', run: 'true', needs: ['long'] },
    ]);
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
    expect(Object.fromEntries(rec.tasks.map((t: { id: string; status: string }) => [t.id, t.status]))).toEqual({ long: 'cancelled', after: 'cancelled' });
    expect(maestro(h.home, ['cancel', id]).stdout).toContain('had already finished');
  });
});
