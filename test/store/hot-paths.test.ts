// Hot paths use indexes (issue 11, migration 007): the SQL the real engine functions run for whoami,
// status (by id, latest, list, explain), admission and decision lookups is captured from the database
// connection as it executes, and each SELECT's EXPLAIN QUERY PLAN must search an index: no full scan
// of a table and no temporary b-tree for ORDER BY. The test follows the statements of the store
// modules as they are, whatever they become.

import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionStatusView, whoami } from '../../src/engine/index.js';
import { decisionsFor } from '../../src/policy/packs/index.js';
import { listAllExecutions } from '../../src/runner/index.js';
import { unrecordedFinished } from '../../src/store/cost.js';
import { markFinished, type NewExecution } from '../../src/store/executions.js';
import { loadMigrations, migrate, type Store } from '../../src/store/index.js';
import { insertDecision, recentDecisions } from '../../src/store/policy.js';
import { admit, markExecutionStarted } from '../../src/store/queue.js';
import { sqlite } from '../../src/store/sqlite-driver.js';
import { authenticateToken, currentToken, type Session } from '../../src/tenancy/index.js';
import { tempSession } from '../policy/packs/helpers.js';

// better-sqlite3 12 or 13 by Node major, as the engine picks it (ADR 0034).
const Database = sqlite();

let base: Session;
let session: Session;
let db: BetterSqlite3.Database;
const seen: string[] = [];
let capture = false;

/** Statements the hot paths ran (expanded SQL), deduplicated by their text without literals. */
function captured(): string[] {
  const norm = (sql: string) => sql.replace(/'[^']*'/g, '?').replace(/\b\d+(\.\d+)?\b/g, '?');
  const out = new Map<string, string>();
  for (const sql of seen) if (/^\s*select\b/i.test(sql) && !out.has(norm(sql))) out.set(norm(sql), sql);
  return [...out.values()];
}

/**
 * Plan lines that mean "not an index search": a full scan of a table (or of a whole index, unless it
 * is a partial index, which holds only the rows the query wants) or a temp b-tree sort.
 */
function badPlanLines(sql: string): string[] {
  const partial = new Set(
    (db.prepare("select name from sqlite_master where type = 'index' and sql like '% where %'").all() as Array<{ name: string }>).map((r) => r.name),
  );
  const plan = db.prepare(`explain query plan ${sql}`).all() as Array<{ detail: string }>;
  return plan
    .map((r) => r.detail)
    .filter((d) => {
      if (/USE TEMP B-TREE/.test(d)) return true;
      if (!/^SCAN /.test(d) || /^SCAN CONSTANT ROW/.test(d)) return false;
      const index = / USING (?:COVERING )?INDEX (\S+)/.exec(d)?.[1];
      return !(index && partial.has(index));
    });
}

function row(i: number, tenant: string, published: string): NewExecution {
  return {
    id: `ex_hot${String(i).padStart(6, '0')}`,
    tenant_id: tenant,
    subject: 'root@local',
    workflow_name: 'wf',
    manifest_digest: 'sha256:x',
    manifest_path: null,
    sandbox: 'none',
    estimated_cost_micros: 1000,
    published_at: published,
    dir: null,
    detached: 1,
  };
}

/** The store's atomic admission as publishing uses it (quota and budget checks, task runs). */
function admitRow(r: NewExecution, maxConcurrent: number): unknown {
  return admit(db, {
    row: r,
    tasks: [{ id: 'a', digest: 'sha256:a' }],
    maxConcurrent,
    wait: false,
    budget: { capMicros: 1e12, spentMicros: () => 0 },
    holder: null,
    nowMs: Date.now(),
    leaseMs: 30_000,
    quotaReason: () => 'full',
    budgetReason: () => 'over',
  });
}

beforeAll(async () => {
  base = await tempSession();
  db = new Database(join(base.ctx.home, 'maestro.db'), { verbose: (sql) => capture && seen.push(String(sql)) });
  db.pragma('busy_timeout = 10000');
  migrate(db, loadMigrations());
  const store: Store = { db, path: join(base.ctx.home, 'maestro.db'), close: () => db.close() };
  session = { ...base, store };
  const tenant = session.tenant.id;
  // Some history: 3,000 executions, most finished, a few still active, with decisions.
  db.transaction(() => {
    for (let i = 0; i < 3000; i++) {
      const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
      admitRow(row(i, tenant, at), 1_000_000);
      if (i < 2990) {
        markExecutionStarted(db, row(i, tenant, at).id, at);
        markFinished(db, row(i, tenant, at).id, 'succeeded', null, at);
      }
      if (i % 3 === 0) {
        insertDecision(
          db,
          {
            id: `pd_hot${i}`,
            tenantId: tenant,
            executionId: row(i, tenant, at).id,
            subject: 'root@local',
            action: 'run',
            outcome: 'allow',
            reasons: '[]',
            warnings: '[]',
            packs: '[]',
            evalMs: 1,
            estimateMicros: 1000,
            explanation: null,
            createdAt: at,
          },
          [],
        );
      }
    }
  })();
  db.exec('analyze');
});
afterAll(() => {
  db.close();
  base.close();
});

describe('hot paths use indexes', () => {
  it('whoami, status, list, admission and decision lookups: every SELECT searches an index', async () => {
    capture = true;
    await authenticateToken(session.ctx, session.store, currentToken(session.ctx));
    whoami(session);
    await executionStatusView(session, { id: 'ex_hot002995', explain: true });
    await executionStatusView(session, {});
    listAllExecutions(session);
    admitRow(row(9999, session.tenant.id, new Date().toISOString()), 1_000_000);
    decisionsFor(session, 'ex_hot000003');
    recentDecisions(db, session.tenant.id, 20);
    capture = false;
    const statements = captured();
    // The hot paths did run their queries (the capture works): executions by id, latest, active, decisions.
    expect(statements.some((s) => /from executions where id =/i.test(s))).toBe(true);
    expect(statements.some((s) => /status in \('queued', 'running'\)/i.test(s))).toBe(true);
    expect(statements.some((s) => /from policy_decisions where execution_id =/i.test(s))).toBe(true);
    expect(statements.length).toBeGreaterThanOrEqual(8);
    const offenders = statements.map((sql) => ({ sql: sql.replace(/\s+/g, ' ').slice(0, 200), bad: badPlanLines(sql) })).filter((o) => o.bad.length > 0);
    expect(offenders).toEqual([]);
  });

  it('spent today reads only the unbooked finished executions (partial index), not the day’s history', () => {
    capture = true;
    unrecordedFinished(db, session.tenant.id, '2026-01-01T00:00:00.000Z');
    capture = false;
    const sql = captured().find((s) => /actual_cost_micros is null/i.test(s));
    expect(sql).toBeDefined();
    const plan = (db.prepare(`explain query plan ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail);
    expect(
      plan.some((d) => /^SEARCH e USING INDEX executions_cost_unrecorded/.test(d)),
      plan.join('\n'),
    ).toBe(true);
  });

  it('the check can fail: a query on an unindexed column is reported', () => {
    expect(badPlanLines("select * from executions where workflow_name = 'wf'")).toEqual(['SCAN executions']);
    expect(badPlanLines('select id from executions order by published_at')).toEqual([
      expect.stringMatching(/^SCAN executions USING (COVERING )?INDEX executions_published$/),
    ]);
    expect(badPlanLines("select * from executions where tenant_id = 'x' order by subject")).toEqual(
      expect.arrayContaining([expect.stringMatching(/USE TEMP B-TREE FOR ORDER BY/)]),
    );
  });
});
