/**
 * bench/store/pg-bridge: the cost of the synchronous PostgreSQL bridge (ADR 0028) against SQLite,
 * measured in the same run on the same operations: a point read (getExecution), an admission (IMMEDIATE
 * transaction: budget + quota + insert; on PostgreSQL with the advisory lock) and a claim of one
 * execution. Prints µs per operation (p50, p95) per backend and the PostgreSQL/SQLite ratio.
 * Usage: node dist/bench/store/pg-bridge.js --database-url postgres://user@host:port/emptydb [--ops 2000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { getExecution } from '../../src/store/executions.js';
import { type Db, openDb } from '../../src/store/index.js';
import { admit, claimBatch } from '../../src/store/queue.js';
import { insertTenant } from '../../src/store/tenants.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const url = arg('--database-url') ?? process.env.MAESTRO_DATABASE_URL;
const ops = Math.min(100_000, Number(arg('--ops') ?? 2000));
if (!url) {
  console.error('pg-bridge bench: give --database-url postgres://… (an empty database)');
  process.exit(2);
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

function measure(db: Db): Record<string, { p50: number; p95: number }> {
  insertTenant(db, {
    id: 'tb',
    name: 'bench',
    daily_budget_micros: 1e12,
    max_concurrent: 1e6,
    day_timezone: 'UTC',
    require_sandbox: 0,
    created_at: new Date().toISOString(),
  });
  const times: Record<string, number[]> = { admit: [], get: [], claim: [] };
  const holder = { owner: 'w-bench', pid: process.pid, pidStart: '1' };
  for (let i = 0; i < ops; i++) {
    const id = `ex_${String(i).padStart(8, '0')}`;
    const now = Date.now();
    let t = performance.now();
    admit(db, {
      row: {
        id,
        tenant_id: 'tb',
        subject: 's',
        workflow_name: 'w',
        manifest_digest: 'sha256:x',
        manifest_path: null,
        sandbox: 'none',
        estimated_cost_micros: 1,
        published_at: new Date(now).toISOString(),
        dir: null,
        detached: 1,
      },
      tasks: [{ id: 'a', digest: 'sha256:a' }],
      maxConcurrent: 1e6,
      wait: false,
      budget: { capMicros: 1e12, spentMicros: () => 0 },
      holder: null,
      nowMs: now,
      leaseMs: 60_000,
      quotaReason: () => 'quota',
      budgetReason: () => 'budget',
    });
    times.admit!.push(performance.now() - t);
    t = performance.now();
    getExecution(db, id);
    times.get!.push(performance.now() - t);
    t = performance.now();
    claimBatch(db, holder, 1, now, 60_000);
    times.claim!.push(performance.now() - t);
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, { p50: pct(v, 50) * 1000, p95: pct(v, 95) * 1000 }]));
}

const dir = mkdtempSync(join(tmpdir(), 'mc-bench-'));
try {
  const lite = openDb(join(dir, 'm.db'));
  const sqlite = measure(lite);
  lite.close();
  const pgDb = openDb(url);
  const pg = measure(pgDb);
  pgDb.close();
  console.log(
    `pg-bridge bench: ${ops} ops per backend; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log('op      sqlite p50/p95 µs   postgres p50/p95 µs   ratio p50');
  for (const op of Object.keys(sqlite)) {
    const s = sqlite[op]!;
    const p = pg[op]!;
    console.log(
      `${op.padEnd(7)} ${s.p50.toFixed(0).padStart(7)} / ${s.p95.toFixed(0).padEnd(9)} ${p.p50.toFixed(0).padStart(9)} / ${p.p95.toFixed(0).padEnd(9)} ${(p.p50 / s.p50).toFixed(1)}x`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
