/**
 * Log lines in the database (ADR 0030) on a real SQLite file: batches bounded by time and size, one
 * order across concurrent tasks read back while they write, the per-execution cap and its marker,
 * a resumed writer continuing the numbering, and the local mirror holding only committed lines.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogSink, ndjsonRecord, truncationMarker } from '../../src/runner/log-sink.js';
import { type Db, openDb } from '../../src/store/index.js';
import { LOG_PAGE_ROWS, logTotals, readLogPage } from '../../src/store/logs.js';

let dir: string;
let db: Db;
const TS = '2026-11-28T10:00:00.000Z';

function open(id = 'ex_1'): Db {
  dir = mkdtempSync(join(tmpdir(), 'mh-logsink-'));
  db = openDb(join(dir, 'maestro.db'));
  db.prepare('insert into tenants (id, name, created_at) values (?, ?, ?)').run('t1', 't1', TS);
  db.prepare(
    `insert into executions (id, tenant_id, subject, workflow_name, manifest_digest, status, published_at)
     values (?, 't1', 'me', 'wf', 'sha256:0', 'running', ?)`,
  ).run(id, TS);
  return db;
}
afterEach(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

function readAll(id = 'ex_1', task?: string) {
  const rows = [];
  let after = 0;
  for (;;) {
    const page = readLogPage(db, id, { afterSeq: after, ...(task ? { task } : {}) });
    rows.push(...page);
    if (page.length < LOG_PAGE_ROWS) return rows;
    after = page[page.length - 1]!.seq;
  }
}

describe('LogSink', () => {
  it('writes nothing until a batch is due: at FLUSH_BYTES at once, else after FLUSH_MS', async () => {
    open();
    const sink = new LogSink(db, 'ex_1', { flushBytes: 1000, flushMs: 100 });
    sink.push('a', 'stdout', ['one', 'two'], TS);
    expect(readAll()).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 250));
    expect(readAll().map((r) => JSON.parse(r.line_json))).toEqual(['one', 'two']);
    expect(sink.stats.batches).toBe(1);
    sink.push('a', 'stdout', ['x'.repeat(1200)], TS); // past flushBytes: written in this call
    expect(readAll()).toHaveLength(3);
    expect(sink.stats.batches).toBe(2);
  });

  it('keeps one order across tasks writing concurrently, read back in order while they write', async () => {
    open();
    const sink = new LogSink(db, 'ex_1', { flushBytes: 4096, flushMs: 5 });
    const TASKS = ['a', 'b', 'c', 'd'];
    const PER_TASK = 600;
    const writer = async (task: string) => {
      for (let i = 0; i < PER_TASK; i += 3) {
        sink.push(task, i % 2 ? 'stderr' : 'stdout', [`${task}-${i}`, `${task}-${i + 1}`, `${task}-${i + 2}`], TS);
        await new Promise((r) => setImmediate(r));
      }
    };
    // A follower reading pages while the writers run: what it sees only ever grows, in order.
    let seen = 0;
    let lastSeq = 0;
    let stop = false;
    const follower = (async () => {
      while (!stop) {
        for (const r of readLogPage(db, 'ex_1', { afterSeq: lastSeq })) {
          expect(r.seq).toBe(lastSeq + 1);
          lastSeq = r.seq;
          seen += 1;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await Promise.all(TASKS.map(writer));
    sink.flush();
    stop = true;
    await follower;
    const rows = readAll();
    expect(rows).toHaveLength(TASKS.length * PER_TASK);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    for (const t of TASKS) expect(readAll('ex_1', t).map((r) => JSON.parse(r.line_json))).toEqual(Array.from({ length: PER_TASK }, (_, i) => `${t}-${i}`));
    expect(sink.stats.batches).toBeGreaterThan(1);
    expect(seen).toBeGreaterThan(0);
  });

  it('stops at the cap: one truncation marker, later lines dropped and counted, every task', () => {
    open();
    const sink = new LogSink(db, 'ex_1', { capBytes: 100 });
    sink.push(
      'a',
      'stdout',
      Array.from({ length: 9 }, (_, i) => `line-${i}-xxxx`),
      TS,
    ); // 11 bytes each: 9 fit (99)
    sink.push('a', 'stdout', ['this one crosses the cap'], TS);
    sink.push('b', 'stderr', ['dropped too'], TS);
    sink.flush();
    const rows = readAll();
    expect(rows).toHaveLength(10);
    expect(rows[9]).toMatchObject({ task_id: 'a', stream: 'stderr', line_json: JSON.stringify(truncationMarker(100)) });
    const markerBytes = Buffer.byteLength(truncationMarker(100));
    expect(sink.stats).toMatchObject({ truncated: true, dropped: 2, bytes: 99 + markerBytes });
    expect(logTotals(db, 'ex_1')).toEqual({ seq: 10, bytes: 99 + markerBytes });
    // A holder resuming the execution continues the numbering and stays truncated.
    const resumed = new LogSink(db, 'ex_1', { capBytes: 100 });
    resumed.push('a', 'stdout', ['x'], TS);
    resumed.flush();
    expect(readAll()).toHaveLength(10);
    const uncapped = new LogSink(db, 'ex_1', { capBytes: 1000 });
    uncapped.push('c', 'stdout', ['after'], TS);
    uncapped.flush();
    expect(readAll().at(-1)).toMatchObject({ seq: 11, task_id: 'c' });
  });

  it('keeps every character (NUL, quotes, non-ASCII) and mirrors only committed lines, byte for byte', () => {
    open();
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    const sink = new LogSink(db, 'ex_1', { mirrorDir: logs, flushMs: 60_000 });
    const odd = ['nul \u0000 here', 'quote " and \\ back', 'déjà vu ✓'];
    sink.push('t', 'stdout', odd, TS);
    expect(() => readFileSync(join(logs, 't.ndjson'))).toThrow(); // nothing committed, nothing mirrored
    sink.flush();
    expect(readAll().map((r) => JSON.parse(r.line_json))).toEqual(odd);
    const expected = odd.map((line) => `${JSON.stringify({ ts: TS, stream: 'stdout', line })}\n`).join('');
    expect(readFileSync(join(logs, 't.ndjson'), 'utf8')).toBe(expected);
    expect(
      readAll()
        .map((r) => ndjsonRecord(r.ts, r.stream, r.line_json))
        .join(''),
    ).toBe(expected);
  });
});
