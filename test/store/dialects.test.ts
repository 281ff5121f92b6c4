/**
 * Every store module's SQL on both backends (ADR 0028): one scenario of writes and reads runs on a
 * fresh SQLite file and a fresh PostgreSQL database, and the two transcripts must be identical (same
 * values, same JS shapes, same order). PostgreSQL runs skip, printing why, only without server binaries.
 */
import { describe, expect, it } from 'vitest';
import { insertActuals, ledgerSpent, listActuals, liveEstimates, taskHistory, unrecordedFinished } from '../../src/store/cost.js';
import { type Db, schemaVersion } from '../../src/store/db.js';
import { insertExport, slowestExportSeconds } from '../../src/store/disclosure.js';
import { claimEnrolment, findEnrolment, insertEnrolment } from '../../src/store/enrolment.js';
import { getExecution, listExecutions, markTaskFinished, settleTasks, taskRuns } from '../../src/store/executions.js';
import { executionsByState, exportTotals, startedAfter } from '../../src/store/metrics.js';
import {
  decisionsForExecution,
  denyCounts,
  evalHistogram,
  insertDecision,
  isVerified,
  latestEstimates,
  linkDecision,
  markVerified,
  recentDecisions,
  setTenantPack,
  tenantPackChoices,
} from '../../src/store/policy.js';
import { admit, claimBatch, finishHeld, markTaskStartedHeld, queueCounts, startHeld } from '../../src/store/queue.js';
import { findMember, getSetting, insertTenant, listTenantRows, putSetting, updateTenant, upsertMember } from '../../src/store/tenants.js';
import { storeBackends } from '../support/backends.js';

const stores = storeBackends();
const AT = '2026-03-01T10:00:00.000Z';
const later = (s: number) => new Date(Date.parse(AT) + s * 1000).toISOString();

/** The scenario: returns what every read saw, in order. */
function scenario(db: Db): unknown[] {
  const seen: unknown[] = [];
  const see = (v: unknown) => seen.push(JSON.parse(JSON.stringify(v ?? null)));
  see(schemaVersion(db));
  for (const [id, name] of [
    ['tb', 'beta'],
    ['ta', 'Alpha'],
  ]) {
    insertTenant(db, { id: id!, name: name!, daily_budget_micros: 5_000_000_000, max_concurrent: 2, day_timezone: 'UTC', require_sandbox: 1, created_at: AT });
  }
  see(updateTenant(db, 'ta', { maxConcurrent: 3, requireSandbox: false }));
  see(listTenantRows(db));
  upsertMember(db, 'ta', 'ann@x', 'viewer', AT);
  upsertMember(db, 'ta', 'ann@x', 'admin', later(1));
  see(findMember(db, 'ta', 'ann@x'));
  putSetting(db, 'k', 'v1');
  putSetting(db, 'k', 'v2');
  see(getSetting(db, 'k'));
  see(getSetting(db, 'missing'));
  const holder = { owner: 'w-1', pid: 1, pidStart: '1' };
  for (let i = 0; i < 3; i++) {
    see(
      admit(db, {
        row: {
          id: `ex_${i}`,
          tenant_id: 'ta',
          subject: 'ann@x',
          workflow_name: 'w',
          manifest_digest: 'sha256:m',
          manifest_path: null,
          sandbox: 'none',
          estimated_cost_micros: 1_000 * (i + 1),
          published_at: later(10 + i),
          dir: '/tmp/x',
          detached: 1,
        },
        tasks: [
          { id: 'a', digest: 'sha256:a' },
          { id: 'b', digest: 'sha256:b' },
        ],
        maxConcurrent: 2,
        wait: i === 2,
        budget: { capMicros: 1_000_000, spentMicros: () => ledgerSpent(db, 'ta', '2026-03-01') + liveEstimates(db, 'ta') },
        holder: null,
        nowMs: Date.parse(later(10 + i)),
        leaseMs: 30_000,
        quotaReason: (h) => `quota ${h.join(',')}`,
        budgetReason: () => 'budget',
      }),
    );
  }
  see(queueCounts(db));
  see(claimBatch(db, holder, 5, Date.parse(later(20)), 30_000).map((r) => [r.id, r.status, r.attempts, r.lease_owner]));
  see(startHeld(db, 'ex_0', 'w-1', 'unavailable', later(21)));
  see(markTaskStartedHeld(db, 'ex_0', 'a', 'w-1', later(22), 4242));
  markTaskFinished(db, {
    execution_id: 'ex_0',
    task_id: 'a',
    status: 'succeeded',
    exit_code: 0,
    reason: null,
    finished_at: later(23),
    cpu_ms: 12,
    peak_rss_kb: 2048,
    wall_ms: 1000,
    bytes_written: 10,
    extras: '{"writes":[]}',
  });
  settleTasks(db, 'ex_0', 'skipped', 'a task it needs did not succeed', later(24), 'pending');
  see(finishHeld(db, 'ex_0', 'w-1', 'succeeded', null, later(24)));
  see(taskRuns(db, 'ex_0'));
  const ex = getExecution(db, 'ex_0');
  see(ex);
  see(listExecutions(db, 'ta', 10).map((r) => r.id));
  const actual = {
    executionId: 'ex_0',
    tenantId: 'ta',
    workflowName: 'w',
    status: 'succeeded',
    estimatedMicros: 1000,
    actualMicros: 1234,
    pricesDigest: 'sha256:p',
    finishedAt: later(24),
    ledgerDay: '2026-03-01',
  };
  const task = {
    executionId: 'ex_0',
    taskId: 'a',
    tenantId: 'ta',
    taskDigest: 'sha256:a',
    uses: 'shell',
    resourceClass: 'small',
    cpu: 1,
    memoryMB: 128,
    expectedSec: null,
    status: 'succeeded',
    cpuSec: 0.012,
    peakRssMB: 2,
    wallSec: 1,
    bytesWritten: 10,
    estimateSource: 'declared',
    estimatedMicros: 1000,
    actualMicros: 1234,
    finishedAt: later(24),
  };
  see(insertActuals(db, actual, [task], later(25)));
  see(insertActuals(db, actual, [task], later(26)));
  see(ledgerSpent(db, 'ta', '2026-03-01'));
  see(liveEstimates(db, 'ta'));
  see(listActuals(db, AT));
  see(taskHistory(db, 'ta', 'sha256:a', 10));
  see(unrecordedFinished(db, 'ta', AT));
  const decision = (id: string, exec: string | null, est: number | null, at: string) => ({
    id,
    tenantId: 'ta',
    executionId: exec,
    subject: 'ann@x',
    action: 'run',
    outcome: 'allow' as const,
    reasons: '[]',
    warnings: '[]',
    packs: '[]',
    evalMs: 1.5,
    estimateMicros: est,
    explanation: null,
    createdAt: at,
  });
  insertDecision(db, decision('d1', null, 500, later(30)), ['pack-a']);
  insertDecision(db, decision('d2', 'ex_0', 700, later(30)), ['pack-a', 'pack-b']);
  see(linkDecision(db, 'd1', 'ex_0'));
  see(decisionsForExecution(db, 'ex_0').map((d) => d.id));
  see(recentDecisions(db, 'ta', 5).map((d) => d.id));
  see(denyCounts(db));
  see(evalHistogram(db));
  see(latestEstimates(db));
  setTenantPack(db, 'ta', 'pack-a', false, '{"x":1}', 'ann@x', later(31));
  setTenantPack(db, 'ta', 'pack-a', true, undefined, 'ann@x', later(32));
  see([...tenantPackChoices(db, 'ta').entries()]);
  markVerified(db, 'd', 'b', 'k', later(33));
  markVerified(db, 'd', 'b', 'k', later(34));
  see(isVerified(db, 'd', 'b', 'k'));
  see(
    insertEnrolment(db, {
      code_hash: 'h1',
      tenant_id: 'ta',
      subject: 'bob@x',
      role: 'viewer',
      created_by: 'ann@x',
      created_at: later(40),
      expires_at: later(400),
    }),
  );
  see(claimEnrolment(db, 'h1', later(41)));
  see(claimEnrolment(db, 'h1', later(42)));
  see(findEnrolment(db, 'h1'));
  insertExport(db, { id: 'x1', execution_id: 'ex_0', tenant_id: 'ta', started_at: later(50), finished_at: later(51), seconds: 0.25, bytes: 4096, uploaded: 0 });
  see(slowestExportSeconds(db, AT));
  see(exportTotals(db));
  see(executionsByState(db));
  see(startedAfter(db, { startedAt: '', id: '' }, 10));
  return seen;
}

describe('store SQL on every backend', () => {
  const transcripts = new Map<string, unknown[]>();
  for (const backend of stores.names) {
    it(`runs the scenario on ${backend}`, async () => {
      const db = await stores.open(backend);
      try {
        const t = scenario(db);
        transcripts.set(backend, t);
        expect(t[0]).toBe(9);
        expect(t.length).toBeGreaterThan(30);
      } finally {
        db.close();
      }
    });
  }
  it.skipIf(stores.names.length < 2)('PostgreSQL answers exactly as SQLite', () => {
    const sqlite = transcripts.get('sqlite')!;
    const pg = transcripts.get('postgres')!;
    expect(pg).toHaveLength(sqlite.length);
    for (let i = 0; i < sqlite.length; i++) expect(pg[i], `read #${i}`).toEqual(sqlite[i]);
  });
});
