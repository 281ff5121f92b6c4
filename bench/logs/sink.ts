/**
 * bench/logs: the cost of writing task logs to the database (ADR 0030) against the file-only writing
 * it replaced, measured in the same run on the same lines: N executions logging concurrently, lines
 * delivered in reads of R lines (as the sandbox's pipe delivers them). The baseline appends the same
 * ndjson records to one file per task; the sink commits batches (250 ms / 64 KiB) to SQLite and mirrors
 * them to the same files. Prints lines/s for both and the ratio.
 * Usage: node dist/bench/logs/sink.js [--executions 20] [--lines 50000] [--read 64] [--no-mirror]
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LogSink, ndjsonRecord } from '../../src/runner/log-sink.js';
import { openDb } from '../../src/store/index.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const n = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
  return n;
}

const EXECUTIONS = arg('executions', 20);
const LINES = arg('lines', 50_000);
const READ = arg('read', 64);
const TS = '2026-11-28T10:00:00.000Z';
const line = (e: number, i: number) => `execution ${e} line ${i}: ${'x'.repeat(60)}`;

async function feed(push: (e: number, lines: string[]) => void): Promise<number> {
  const t0 = performance.now();
  // Interleave executions read by read, yielding between rounds like concurrent pipes.
  for (let i = 0; i < LINES; i += READ) {
    for (let e = 0; e < EXECUTIONS; e++)
      push(
        e,
        Array.from({ length: Math.min(READ, LINES - i) }, (_, k) => line(e, i + k)),
      );
    await new Promise((r) => setImmediate(r));
  }
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'bench-logs-'));
  try {
    const fileDir = join(root, 'files');
    mkdirSync(fileDir);
    const fileMs = await feed((e, ls) => appendFileSync(join(fileDir, `${e}.ndjson`), ls.map((l) => ndjsonRecord(TS, 'stdout', JSON.stringify(l))).join('')));

    const db = openDb(join(root, 'maestro.db'));
    db.prepare('insert into tenants (id, name, created_at) values (?, ?, ?)').run('t1', 't1', TS);
    const insert = db.prepare(
      `insert into executions (id, tenant_id, subject, workflow_name, manifest_digest, status, published_at) values (?, 't1', 'me', 'wf', 'sha256:0', 'running', ?)`,
    );
    const mirror = join(root, 'mirror');
    mkdirSync(mirror);
    const sinks = Array.from({ length: EXECUTIONS }, (_, e) => {
      insert.run(`ex_${e}`, TS);
      return new LogSink(db, `ex_${e}`, { mirrorDir: process.argv.includes('--no-mirror') ? null : mirror });
    });
    const dbMs = await feed((e, ls) => sinks[e]!.push(String(e), 'stdout', ls, TS));
    const t = performance.now();
    for (const s of sinks) s.flush();
    const total = dbMs + (performance.now() - t);
    const batches = sinks.reduce((n, s) => n + s.stats.batches, 0);
    db.close();
    const n = EXECUTIONS * LINES;
    const rate = (ms: number) => Math.round(n / (ms / 1000));
    console.log(
      `bench/logs: ${EXECUTIONS} executions x ${LINES} lines (${n} lines, reads of ${READ}); ${cpus().length} cpus; load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    console.log(`  files only (baseline)      ${fileMs.toFixed(0)} ms  ${rate(fileMs)} lines/s`);
    console.log(`  database + mirror (sink)   ${total.toFixed(0)} ms  ${rate(total)} lines/s  (${batches} batches)`);
    console.log(`  ratio sink/files           ${(total / fileMs).toFixed(2)}x`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
