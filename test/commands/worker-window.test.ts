/**
 * The pool's start window (MAESTRO_START_WINDOW): at most that many claimed executions are on their
 * way to a first running sandbox at once, so a burst starts in claim order instead of advancing every
 * claimed execution in step. Executions are queued through `serve --workers 0` (nothing claims them),
 * then one `maestro worker --once` drains them; claim and start times come from the store.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlite } from '../../src/store/sqlite-driver.js';
import { maestro, tempHome } from '../helpers/cli.js';
import { serve } from '../helpers/serve.js';
import { maestroAsync } from '../runner/e2e-helpers.js';
import { unavailableReason } from '../runner/escape/helpers.js';

const Database = sqlite();
const reason = unavailableReason();
const manifest =
  'apiVersion: maestro/v1\nkind: Workflow\nmetadata: { name: windowed }\nspec:\n  region: US\n  resourceClass: small\n  tasks:\n    - { id: t, uses: shell, run: "sleep 1" }\n';

describe.skipIf(reason !== null)(`the pool's start window${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const t = tempHome();
  let token: string;
  beforeAll(() => {
    expect(maestro(t.home, ['init']).code).toBe(0);
    token = readFileSync(join(t.home, 'token'), 'utf8').trim();
  });
  afterAll(() => t.cleanup());

  /** Queues n executions with no pool running, drains them with one worker, returns claim/start times in claim order. */
  async function drainWith(window: string, n: number): Promise<Array<{ claimed: number; started: number }>> {
    const srv = await serve(t.home, {}, ['--workers', '0']);
    const ids: string[] = [];
    try {
      for (let i = 0; i < n; i++) {
        const res = await fetch(`${srv.url}/api/executions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ manifest, name: 'windowed.yaml' }),
        });
        expect(res.status).toBe(201);
        ids.push(((await res.json()) as { id: string }).id);
      }
    } finally {
      await srv.stop();
    }
    const w = await maestroAsync(t.home, ['worker', '--once', '--concurrency', '50'], { MAESTRO_START_WINDOW: window }).done;
    expect(w.code, w.stderr).toBe(0);
    const db = new Database(join(t.home, 'maestro.db'), { readonly: true });
    try {
      const rows = ids.map(
        (id) =>
          db
            .prepare(
              "select e.status, e.claimed_at as c, t.started_at as s from executions e join task_runs t on t.execution_id = e.id where e.id = ? and t.task_id = 't'",
            )
            .get(id) as { status: string; c: string; s: string },
      );
      for (const r of rows) expect(r.status).toBe('succeeded');
      return rows.map((r) => ({ claimed: Date.parse(r.c), started: Date.parse(r.s) })).sort((a, b) => a.claimed - b.claimed);
    } finally {
      db.close();
    }
  }

  it('with a window of 1, each execution is claimed only after the one before has its sandbox running', async () => {
    const rows = await drainWith('1', 6);
    for (let k = 1; k < rows.length; k++) expect(rows[k]!.claimed, `claim ${k}`).toBeGreaterThanOrEqual(rows[k - 1]!.started);
  }, 120_000);

  it('with a wide window, one claim takes the whole queue before the first sandbox runs (the control)', async () => {
    const rows = await drainWith('50', 6);
    expect(rows.at(-1)!.claimed).toBeLessThanOrEqual(rows[0]!.started);
  }, 120_000);
});
