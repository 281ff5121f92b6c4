/**
 * ADR 0040: a host lost in the middle of a transaction. Host h0 holds the writer lock (an IMMEDIATE
 * transaction of maestro's own PostgreSQL handle) and is then lost: its link is cut before its
 * processes are killed, so the server never hears of it and keeps the session, locks and all. Another
 * host's IMMEDIATE transaction must still complete, once the server has ended the silent session
 * (idle in transaction for DEFAULT_IDLE_TX_TIMEOUT_MS). Before ADR 0040 it waited for hours.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_IDLE_TX_TIMEOUT_MS, WRITER_LOCK } from '../../src/store/pg/pg-db.js';
import { ROOT } from '../helpers/cli.js';
import { type MultiHost, multiHostSkipReason, startMultiHost } from './cluster.js';
import { Captured, until } from './maestro-hosts.js';

const reason = multiHostSkipReason();
if (reason) console.warn(`test/multihost/lost-lock: skipped: ${reason}`);

const PG_DB = `${ROOT}/dist/src/store/pg/pg-db.js`;
/** An ES module run with `node --input-type=module -e`, using the built store's PostgreSQL handle. */
const esm = (body: string) => `import { openPgDb } from ${JSON.stringify(PG_DB)};\n${body}`;

describe.skipIf(reason !== null)('a host lost while it holds the writer lock (ADR 0040)', () => {
  let mh: MultiHost;
  let db: pg.Client;
  beforeAll(async () => {
    mh = await startMultiHost(2, 'lostlock');
    db = new pg.Client(mh.localUrl);
    await db.connect();
  }, 120_000);
  afterAll(async () => {
    await db?.end();
    await mh?.destroy();
  });

  const writerLockHolders = async () =>
    (
      await db.query(
        "select l.pid, a.state, host(a.client_addr) as addr, a.application_name as app from pg_locks l join pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory' and l.objid = $1 and l.granted",
        [WRITER_LOCK],
      )
    ).rows as Array<{ pid: number; state: string; addr: string; app: string }>;

  it("another host's IMMEDIATE transaction completes once the server has ended the lost host's session", async () => {
    const [lost, other] = mh.net.hosts;
    // h0 takes the writer lock and freezes inside the transaction (a process stuck, then its host lost).
    const holder = new Captured(
      lost!.spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          esm(
            `const db = openPgDb(${JSON.stringify(mh.hostUrl)});\n` +
              `db.transaction(() => { process.stdout.write('holding\\n'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); }).immediate();`,
          ),
        ],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    await until(() => holder.text.includes('holding') || holder.exited(), 30_000, 'h0 to hold the writer lock');
    expect(holder.text).toContain('holding');
    const held = await writerLockHolders();
    expect(held).toHaveLength(1);
    expect(held[0]!.addr).toBe(lost!.addr);
    expect(held[0]!.state).toBe('idle in transaction');
    expect(held[0]!.app).toBe('maestro');

    lost!.kill({ cutFirst: true });
    const lostAt = Date.now();
    // The server heard nothing: the session and its lock are still there.
    expect((await writerLockHolders()).map((h) => h.addr)).toEqual([lost!.addr]);

    // h1 writes: its IMMEDIATE transaction waits for the lock, then commits.
    const r = await other!.exec(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        esm(
          `const db = openPgDb(${JSON.stringify(mh.hostUrl)});\n` +
            `const n = db.transaction(() => db.query('select 1 as one').rows[0].one).immediate();\n` +
            `process.stdout.write('committed ' + n + '\\n'); db.close(); process.exit(0);`,
        ),
      ],
      { cwd: ROOT, timeoutMs: 120_000 },
    );
    const waited = Date.now() - lostAt;
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
    expect(r.stdout.trim()).toBe('committed 1');
    // The lost session was idle in its transaction for the timeout, then ended; allow for a slow machine.
    expect(waited).toBeLessThan(DEFAULT_IDLE_TX_TIMEOUT_MS + 30_000);
    expect(await writerLockHolders()).toEqual([]);
    const left = await db.query('select count(*)::int as n from pg_stat_activity where host(client_addr) = $1', [lost!.addr]);
    expect(left.rows[0].n).toBe(0);
    console.log(`lost-lock: h1's transaction committed ${waited} ms after h0 was lost (idle-in-transaction timeout ${DEFAULT_IDLE_TX_TIMEOUT_MS} ms)`);
  }, 180_000);
});
