/**
 * A runner killed with SIGKILL between the writes of the seal step (ADR 0035: logs, then the receipt
 * hook, then execution.json once, then the evidence blobs, then the sealed mark). At every point each
 * file on disk is the old complete version or the new complete one (no temp file is left by a
 * finished write, every JSON file parses), and recovery turns the execution into a sealed one whose
 * evidence is in the database and whose disclosure pack exports and verifies. Real processes, the
 * real sandbox, a temp state home.
 */

import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/core/context.js';
import { sealUnsealed } from '../../src/engine/hooks.js';
import { SEAL_SCAN_MAX } from '../../src/runner/execute.js';
import { openStore } from '../../src/store/index.js';
import { sqlite } from '../../src/store/sqlite-driver.js';
import { maestro, tempHome } from '../helpers/cli.js';
import { writeManifest } from '../runner/e2e-helpers.js';
import { unavailableReason } from '../runner/escape/helpers.js';

const Database = sqlite();
const reason = unavailableReason();
const ENV = { MAESTRO_LEASE_MS: '1500', MAESTRO_PDP_TIMEOUT_MS: '10000' };

function query<T>(home: string, sql: string, ...args: unknown[]): T[] {
  const d = new Database(join(home, 'maestro.db'), { readonly: true, fileMustExist: true });
  try {
    return d.prepare(sql).all(...args) as T[];
  } finally {
    d.close();
  }
}

const tmpFiles = (exDir: string): string[] =>
  ['', 'logs'].flatMap((sub) => (existsSync(join(exDir, sub)) ? readdirSync(join(exDir, sub)).filter((f) => f.endsWith('.tmp')) : []));
const json = (path: string): { status?: string; cost?: { actualMicros: number | null } } => JSON.parse(readFileSync(path, 'utf8'));
const storedFiles = (home: string, id: string): string[] =>
  query<{ path: string }>(home, 'select path from execution_files where execution_id = ? order by path', id).map((r) => r.path);

interface Killed {
  id: string;
  exDir: string;
}

describe.skipIf(reason !== null)(`a kill -9 inside the seal step${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const h = tempHome();
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'maestro-seal-crash-'));
    expect(maestro(h.home, ['init'], ENV).code).toBe(0);
  });
  afterAll(() => h.cleanup());

  function killedAt(failpoint: string): Killed {
    const m = writeManifest(dir, `seal-${failpoint}`, [{ id: 'e', run: `echo ${failpoint}; echo out > $MAESTRO_OUT/e.txt` }]);
    const r = maestro(h.home, ['run', m, '--json'], { ...ENV, MAESTRO_FAILPOINT: failpoint });
    expect(r.code).not.toBe(0); // killed
    const [row] = query<{ id: string; status: string; sealed: number }>(
      h.home,
      'select id, status, sealed from executions order by published_at desc, rowid desc limit 1',
    );
    expect(row).toMatchObject({ status: 'succeeded', sealed: 0 });
    const exDir = join(h.home, 'executions', row!.id);
    // Every write that finished is complete, and the killed process left no temp file mid-write.
    expect(tmpFiles(exDir)).toEqual([]);
    for (const f of ['execution.json', 'decisions.json', 'plan.json', 'receipt.sigstore.json'])
      if (existsSync(join(exDir, f))) expect(() => JSON.parse(readFileSync(join(exDir, f), 'utf8')), f).not.toThrow();
    return { id: row!.id, exDir };
  }

  /** Recovery (run by `status`) seals it: final files, evidence in the database, a pack that verifies. */
  function recoversAndVerifies(k: Killed): void {
    const st = maestro(h.home, ['status', k.id, '--json'], ENV);
    expect(st.code, st.stderr).toBe(0);
    expect(st.json().status).toBe('succeeded');
    expect(query<{ sealed: number }>(h.home, 'select sealed from executions where id = ?', k.id)[0]!.sealed).toBe(1);
    const rec = json(join(k.exDir, 'execution.json'));
    expect(rec.status).toBe('succeeded');
    expect(rec.cost?.actualMicros).toBeGreaterThan(0);
    expect(readFileSync(join(k.exDir, 'logs', 'e.ndjson'), 'utf8')).toContain('"line":"');
    expect(tmpFiles(k.exDir)).toEqual([]);
    expect(storedFiles(h.home, k.id)).toEqual(
      expect.arrayContaining(['decisions.json', 'execution.json', 'manifest.yaml', 'out/e/e.txt', 'plan.json', 'receipt.sigstore.json']),
    );
    const out = join(dir, `${k.id}.zip`);
    const ex = maestro(h.home, ['disclose', 'export', k.id, '-o', out, '--json'], ENV);
    expect(ex.code, ex.stderr).toBe(0);
    const v = maestro(h.home, ['disclose', 'verify', out], ENV);
    expect(v.code, v.stdout + v.stderr).toBe(0);
  }

  it('after the logs, before the receipt: the record is still the queued one, no receipt, no actual cost', () => {
    const k = killedAt('after-logs');
    expect(json(join(k.exDir, 'execution.json')).status).toBe('queued');
    expect(existsSync(join(k.exDir, 'receipt.sigstore.json'))).toBe(false);
    expect(readFileSync(join(k.exDir, 'logs', 'e.ndjson'), 'utf8')).toContain('after-logs');
    expect(query<{ a: number | null }>(h.home, 'select actual_cost_micros as a from executions where id = ?', k.id)[0]!.a).toBeNull();
    recoversAndVerifies(k);
  });

  it('after the receipt, before execution.json: a complete receipt beside the old complete record', () => {
    const k = killedAt('after-receipt');
    expect(json(join(k.exDir, 'execution.json')).status).toBe('queued');
    expect(existsSync(join(k.exDir, 'receipt.sigstore.json'))).toBe(true);
    expect(query<{ a: number | null }>(h.home, 'select actual_cost_micros as a from executions where id = ?', k.id)[0]!.a).toBeGreaterThan(0);
    recoversAndVerifies(k);
  });

  it('after execution.json, before the evidence blobs: recovery stores them (the files alone looked complete)', () => {
    const k = killedAt('after-record');
    const rec = json(join(k.exDir, 'execution.json'));
    expect(rec.status).toBe('succeeded');
    expect(rec.cost?.actualMicros).toBeGreaterThan(0);
    expect(existsSync(join(k.exDir, 'receipt.sigstore.json'))).toBe(true);
    expect(storedFiles(h.home, k.id)).not.toContain('execution.json');
    recoversAndVerifies(k);
  });

  // Last: the rows these add stay for the rest of the file.
  /**
   * `n` terminal, unsealed executions finished long before anything else, whose directories are on
   * another host (a lost worker's, ADR 0030): recovery here must leave them, and must not stop there.
   */
  function othersUnsealable(prefix: string, like: string, n: number): void {
    const d = new Database(join(h.home, 'maestro.db'), { fileMustExist: true });
    try {
      const cols = (d.prepare('pragma table_info(executions)').all() as Array<{ name: string }>).map((c) => c.name);
      const set: Record<string, string> = {
        id: `'${prefix}' || printf('%05d', k)`,
        status: "'failed'",
        sealed: '0',
        lease_owner: 'null',
        lease_expires_at: 'null',
        finished_at: "'2001-01-01T00:00:00.000Z'",
        dir: `'/nonexistent-host/executions/${prefix}' || k`,
      };
      d.prepare(
        `with recursive n(k) as (select 1 union all select k + 1 from n where k < ?)
         insert into executions (${cols.join(', ')}) select ${cols.map((c) => set[c] ?? c).join(', ')} from executions, n where id = ?`,
      ).run(n, like);
    } finally {
      d.close();
    }
  }

  it('the execution being exported is sealed first, even behind many that this host cannot seal', () => {
    const k = killedAt('after-logs');
    // As many as one sweep reads (a CLI process sweeps from the oldest): only `first` reaches it.
    othersUnsealable('ex_lostA', k.id, SEAL_SCAN_MAX);
    const out = join(dir, `${k.id}-first.zip`);
    const ex = maestro(h.home, ['disclose', 'export', k.id, '-o', out, '--json'], ENV);
    expect(ex.code, ex.stderr).toBe(0);
    expect(json(join(k.exDir, 'execution.json')).status).toBe('succeeded');
    expect(query<{ sealed: number }>(h.home, 'select sealed from executions where id = ?', k.id)[0]!.sealed).toBe(1);
    // The others are left as they were: their directories are not here.
    expect(query<{ n: number }>(h.home, "select count(*) as n from executions where id like 'ex_lostA%' and sealed = 0")[0]!.n).toBe(SEAL_SCAN_MAX);
    const v = maestro(h.home, ['disclose', 'verify', out], ENV);
    expect(v.code, v.stdout + v.stderr).toBe(0);
  });

  it("a long-lived process's sweeps reach every execution, however many unsealable ones come first", async () => {
    const k = killedAt('after-receipt');
    // With the test before's: 2,200 ahead of it. One sweep reads SEAL_SCAN_MAX rows at most.
    othersUnsealable('ex_lostB', k.id, SEAL_SCAN_MAX + 200);
    const ctx = createContext({ home: h.home, env: { ...ENV, MAESTRO_HOME: h.home, USER: 'tester' } });
    const store = openStore(ctx);
    try {
      const sealed = (): number => query<{ sealed: number }>(h.home, 'select sealed from executions where id = ?', k.id)[0]!.sealed;
      // A pool sweeps every second, 100 seals at most each time; each sweep resumes where the last stopped.
      const counts: number[] = [];
      for (let i = 0; i < 4 && sealed() === 0; i++) counts.push(await sealUnsealed({ ctx, store }, 100));
      expect(sealed(), `sweeps sealed ${JSON.stringify(counts)}`).toBe(1);
      expect(counts.length).toBeLessThanOrEqual(3);
      expect(json(join(k.exDir, 'execution.json')).status).toBe('succeeded');
    } finally {
      store.close();
    }
  });
});
