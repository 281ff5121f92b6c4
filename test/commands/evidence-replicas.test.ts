/**
 * ADR 0030 end to end on the real CLI (real SQLite file, real bwrap sandbox, real signatures): logs,
 * status, receipts and disclosure packs come from the database, so they survive the loss of the
 * execution's directory (the replica serving them never had it); `logs --follow` ends with the
 * execution; the trusted list decides what verifies (unknown and revoked keys fail).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlite } from '../../src/store/sqlite-driver.js';
import { maestro, tempHome } from '../helpers/cli.js';
import { maestroAsync, writeManifest } from '../runner/e2e-helpers.js';
import { unavailableReason } from '../runner/escape/helpers.js';

// better-sqlite3 12 or 13 by Node major, as the engine picks it (ADR 0034).
const Database = sqlite();

const reason = unavailableReason();
const ENV = { MAESTRO_LEASE_MS: '1500', MAESTRO_WORKER_IDLE_MS: '1500', MAESTRO_PDP_TIMEOUT_MS: '10000' };
type Line = { task: string; stream: string; line: string };
const lines = (stdout: string): Line[] =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);

describe.skipIf(reason !== null)(`evidence across replicas${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const h = tempHome('maestro-evidence-');
  const other = tempHome('maestro-evidence-other-');
  let dir: string;
  let id: string;
  let pack: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'maestro-evidence-wf-'));
    expect(maestro(h.home, ['init'], ENV).code).toBe(0);
  });
  afterAll(() => {
    h.cleanup();
    other.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a worker enrols its public key (named by MAESTRO_KEY_OWNER) when it starts, before any execution', () => {
    const fresh = tempHome('maestro-evidence-worker-');
    try {
      expect(maestro(fresh.home, ['init'], ENV).code).toBe(0);
      const keysOf = () => {
        const db = new Database(join(fresh.home, 'maestro.db'), { readonly: true });
        try {
          return db.prepare('select key_id, owner, revoked_at from trusted_keys').all();
        } finally {
          db.close();
        }
      };
      expect(keysOf()).toEqual([]);
      const w = maestro(fresh.home, ['worker', '--once', '--json'], { ...ENV, MAESTRO_KEY_OWNER: 'worker:w9' });
      expect(w.code, w.stderr).toBe(0);
      expect(w.json()).toMatchObject({ claimed: 0 });
      expect(keysOf()).toEqual([{ key_id: expect.stringMatching(/^[0-9a-f]{64}$/), owner: 'worker:w9', revoked_at: null }]);
    } finally {
      fresh.cleanup();
    }
  });

  it('logs, status and a verifying disclosure pack come from the database after the execution dir is deleted', () => {
    const m = writeManifest(dir, 'evid', [
      { id: 'say', run: 'for i in 1 2 3; do echo "out $i"; echo "err $i" >&2; done' },
      { id: 'make', run: 'echo artefact > $MAESTRO_OUT/result.txt; echo made; exit 3', needs: ['say'] },
    ]);
    const run = maestro(h.home, ['run', m, '--json'], ENV);
    expect(run.code, run.stderr).toBe(1); // `make` exits 3
    id = run.json().id ?? run.json().record?.id;
    expect(id).toMatch(/^ex_/);
    const before = maestro(h.home, ['logs', id, '--json'], ENV);
    expect(before.code, before.stderr).toBe(0);
    const want = [...[1, 2, 3].flatMap((i) => [`out ${i}`, `err ${i}`]).map((line) => ({ task: 'say', line })), { task: 'make', line: 'made' }];
    expect(
      lines(before.stdout)
        .map(({ task, line }) => ({ task, line }))
        .sort((a, b) => (a.line < b.line ? -1 : 1)),
    ).toEqual(want.sort((a, b) => (a.line < b.line ? -1 : 1)));

    // This host loses the directory: what remains is the database.
    rmSync(join(h.home, 'executions', id), { recursive: true, force: true });
    const after = maestro(h.home, ['logs', id, '--json', '--task', 'say'], ENV);
    expect(after.code, after.stderr).toBe(0);
    expect(lines(after.stdout)).toEqual(lines(before.stdout).filter((l) => l.task === 'say'));
    const status = maestro(h.home, ['status', id, '--json'], ENV);
    expect(status.code, status.stderr).toBe(0);
    expect(status.json().failure).toMatchObject({ task: 'make', tail: ['made'] });

    pack = join(dir, 'pack.zip');
    const ex = maestro(h.home, ['disclose', 'export', id, '-o', pack, '--json'], ENV);
    expect(ex.code, ex.stderr).toBe(0);
    expect(ex.json().receiptCreated).toBe(false); // the worker's receipt, from the database
    const v = maestro(h.home, ['disclose', 'verify', pack, '--json'], ENV);
    expect(v.code, v.stdout).toBe(0);
    // The output and both logs are in the pack (zip entry names are stored in the clear).
    const zip = readFileSync(pack);
    for (const name of ['out/make/result.txt', 'logs/say.ndjson', 'logs/make.ndjson', 'receipt.sigstore.json']) expect(zip.includes(name), name).toBe(true);
    expect(v.json().checks.find((c: { name: string }) => c.name === 'receipt.subjects')).toMatchObject({ ok: true });
  });

  it('a home whose trusted list lacks the signing key fails the pack (unknown key)', () => {
    expect(maestro(other.home, ['init'], ENV).code).toBe(0);
    const v = maestro(other.home, ['disclose', 'verify', pack, '--json'], ENV);
    expect(v.code).toBe(1);
    expect(JSON.stringify(v.json().checks)).toMatch(/which is not a trusted key/);
  });

  it('keys list shows the trusted list; keys revoke makes every signature of that key fail', () => {
    const list = maestro(h.home, ['keys', 'list', '--json'], ENV);
    expect(list.code, list.stderr).toBe(0);
    const def = list.json().find((k: { default: boolean }) => k.default);
    expect(def).toMatchObject({ status: 'trusted', local: true, revokedAt: null });
    expect(def.owner).toMatch(/\S/);
    const rv = maestro(h.home, ['keys', 'revoke', def.id.slice(0, 12), '--reason', 'rotated', '--json'], ENV);
    expect(rv.code, rv.stderr).toBe(0);
    expect(rv.json()).toMatchObject({ id: def.id, status: 'revoked', revokedReason: 'rotated', changed: true });
    expect(maestro(h.home, ['keys', 'revoke', def.id, '--json'], ENV).json()).toMatchObject({ changed: false, revokedReason: 'rotated' });
    expect(maestro(h.home, ['keys', 'revoke', 'ffffffffffff'], ENV).code).toBe(5);
    const human = maestro(h.home, ['keys', 'list'], ENV).stdout;
    expect(human).toMatch(/revoked .* \(rotated\)/);
    const v = maestro(h.home, ['disclose', 'verify', pack, '--json'], ENV);
    expect(v.code).toBe(1);
    expect(JSON.stringify(v.json().checks)).toMatch(/revoked at .* \(rotated\); signatures by a revoked key are not trusted/);
    // --key still trusts exactly the given files (offline verification by a third party).
    const pem = join(dir, 'pub.pem');
    expect(maestro(h.home, ['keys', 'export-public', '--id', def.id, '-o', pem], ENV).code).toBe(0);
    expect(maestro(h.home, ['disclose', 'verify', pack, '--key', pem], ENV).code).toBe(0);
  });

  it('logs --follow reads every line from the database and ends when the execution ends', async () => {
    const m = writeManifest(dir, 'slow', [{ id: 'tick', run: 'echo first; sleep 2; echo second' }]);
    const q = maestro(h.home, ['run', m, '--detach', '--json'], ENV);
    expect(q.code, q.stderr).toBe(0);
    const qid = q.json().id ?? q.json().record?.id;
    const started = Date.now();
    const follow = await maestroAsync(h.home, ['logs', qid, '--follow', '--json'], ENV).done;
    expect(follow.code, follow.stderr).toBe(0);
    expect(lines(follow.stdout).map((l) => l.line)).toEqual(['first', 'second']);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(maestro(h.home, ['status', qid, '--json'], ENV).json().status).toBe('succeeded');
  }, 90_000);
});
