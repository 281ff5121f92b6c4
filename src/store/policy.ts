/**
 * Policy tables (migration 004): decisions linked to executions, deny counters per tenant and pack,
 * the evaluation-time histogram, tenant pack choices and the cache of verified pack signatures.
 */
import { type Db, dialectOf, preparedOnce } from './db.js';

/** Upper bounds (ms) of the mc_policy_eval_ms histogram buckets; '+Inf' is implied last. */
export const EVAL_MS_BUCKETS = [0.5, 1, 2, 5, 10, 15, 25, 50, 100, 250, 500, 1000] as const;

export interface DecisionRow {
  id: string;
  tenantId: string;
  executionId: string | null;
  subject: string;
  action: string;
  outcome: 'allow' | 'deny' | 'warn';
  /** JSON texts. */
  reasons: string;
  warnings: string;
  packs: string;
  evalMs: number;
  estimateMicros: number | null;
  explanation: string | null;
  createdAt: string;
}

interface DecisionDbRow {
  id: string;
  tenant_id: string;
  execution_id: string | null;
  subject: string;
  action: string;
  outcome: 'allow' | 'deny' | 'warn';
  reasons: string;
  warnings: string;
  packs: string;
  eval_ms: number;
  estimate_micros: number | null;
  explanation: string | null;
  created_at: string;
}

function fromDb(r: DecisionDbRow): DecisionRow {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    executionId: r.execution_id,
    subject: r.subject,
    action: r.action,
    outcome: r.outcome,
    reasons: r.reasons,
    warnings: r.warnings,
    packs: r.packs,
    evalMs: r.eval_ms,
    estimateMicros: r.estimate_micros,
    explanation: r.explanation,
    createdAt: r.created_at,
  };
}

/** Bucket label for an evaluation time. */
export function bucketOf(ms: number): string {
  const le = EVAL_MS_BUCKETS.find((b) => ms <= b);
  return le === undefined ? '+Inf' : String(le);
}

/** The statements of every decision and of every pack load, prepared once per handle. */
const stmts = preparedOnce((db: Db) => ({
  insert: db.prepare(
    `insert into policy_decisions (id, tenant_id, execution_id, subject, action, outcome, reasons, warnings, packs, eval_ms, estimate_micros, explanation, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ),
  deny: db.prepare(
    `insert into policy_deny_counts (tenant_id, pack_id, denies) values (?, ?, 1)
     on conflict (tenant_id, pack_id) do update set denies = policy_deny_counts.denies + 1`,
  ),
  histogram: db.prepare('insert into policy_eval_histogram (le, count) values (?, 1) on conflict (le) do update set count = policy_eval_histogram.count + 1'),
  totals: db.prepare(
    `insert into policy_eval_totals (id, count, sum_ms) values (1, 1, ?)
     on conflict (id) do update set count = policy_eval_totals.count + 1, sum_ms = policy_eval_totals.sum_ms + excluded.sum_ms`,
  ),
  forExecution: db.prepare('select * from policy_decisions where execution_id = ? order by created_at, rowid'),
  byId: db.prepare('select * from policy_decisions where id = ?'),
  recent: db.prepare('select * from policy_decisions where tenant_id = ? order by created_at desc, rowid desc limit ?'),
  choices: db.prepare('select pack_id as packId, enabled, config from policy_tenant_packs where tenant_id = ?'),
  isVerified: db.prepare('select 1 from policy_pack_verified where digest = ? and bundle_sha256 = ? and key_id = ?'),
  markVerified: db.prepare(
    dialectOf(db) === 'postgres'
      ? 'insert into policy_pack_verified (digest, bundle_sha256, key_id, verified_at) values (?, ?, ?, ?) on conflict do nothing'
      : 'insert or ignore into policy_pack_verified (digest, bundle_sha256, key_id, verified_at) values (?, ?, ?, ?)',
  ),
}));

/** Record a decision, its deny counters and its histogram sample in one transaction. */
export function insertDecision(db: Db, row: DecisionRow, deniedPacks: readonly string[]): void {
  const s = stmts(db);
  db.transaction(() => {
    s.insert.run(
      row.id,
      row.tenantId,
      row.executionId,
      row.subject,
      row.action,
      row.outcome,
      row.reasons,
      row.warnings,
      row.packs,
      row.evalMs,
      row.estimateMicros,
      row.explanation,
      row.createdAt,
    );
    for (const pack of new Set(deniedPacks)) s.deny.run(row.tenantId, pack);
    s.histogram.run(bucketOf(row.evalMs));
    s.totals.run(row.evalMs);
  }).immediate();
}

/** Link plan-time decisions (execution_id null) to an execution once it exists. */
export function linkDecision(db: Db, decisionId: string, executionId: string): boolean {
  return db.prepare('update policy_decisions set execution_id = ? where id = ?').run(executionId, decisionId).changes === 1;
}

/** Decisions made for an execution, oldest first. */
export function decisionsForExecution(db: Db, executionId: string): DecisionRow[] {
  const rows = stmts(db).forExecution.all(executionId) as DecisionDbRow[];
  return rows.map(fromDb);
}

/** One decision by id. */
export function getDecision(db: Db, id: string): DecisionRow | undefined {
  const r = stmts(db).byId.get(id) as DecisionDbRow | undefined;
  return r ? fromDb(r) : undefined;
}

/** The latest decisions of a tenant, newest first. */
export function recentDecisions(db: Db, tenantId: string, limit: number): DecisionRow[] {
  const rows = stmts(db).recent.all(tenantId, limit) as DecisionDbRow[];
  return rows.map(fromDb);
}

/** mc_tenant_denies_total: {tenantId, packId, denies}. */
export function denyCounts(db: Db): Array<{ tenantId: string; packId: string; denies: number }> {
  return db.prepare('select tenant_id as tenantId, pack_id as packId, denies from policy_deny_counts order by tenant_id, pack_id').all() as Array<{
    tenantId: string;
    packId: string;
    denies: number;
  }>;
}

/** mc_policy_eval_ms: cumulative bucket counts (Prometheus style), the sample count and the sum. */
export function evalHistogram(db: Db): { buckets: Array<{ le: string; count: number }>; count: number; sumMs: number } {
  const raw = new Map((db.prepare('select le, count from policy_eval_histogram').all() as Array<{ le: string; count: number }>).map((r) => [r.le, r.count]));
  let running = 0;
  const buckets = [...EVAL_MS_BUCKETS.map(String), '+Inf'].map((le) => {
    running += raw.get(le) ?? 0;
    return { le, count: running };
  });
  const t = db.prepare('select count, sum_ms as sumMs from policy_eval_totals where id = 1').get() as { count: number; sumMs: number } | undefined;
  return { buckets, count: t?.count ?? 0, sumMs: t?.sumMs ?? 0 };
}

/** mc_cost_estimate_usd: the latest estimate seen by policy per tenant, in micro-dollars. */
export function latestEstimates(db: Db): Array<{ tenantId: string; estimateMicros: number; at: string }> {
  return db
    .prepare(
      `select d.tenant_id as tenantId, d.estimate_micros as estimateMicros, d.created_at as at from policy_decisions d
       where d.estimate_micros is not null and d.rowid = (
         select d2.rowid from policy_decisions d2 where d2.tenant_id = d.tenant_id and d2.estimate_micros is not null
         order by d2.created_at desc, d2.rowid desc limit 1)
       order by d.tenant_id`,
    )
    .all() as Array<{ tenantId: string; estimateMicros: number; at: string }>;
}

export interface TenantPackChoice {
  enabled: boolean;
  /** JSON text of the tenant's pack data, or null. */
  config: string | null;
}

/** A tenant's explicit pack choices: pack id → {enabled, config}. */
export function tenantPackChoices(db: Db, tenantId: string): Map<string, TenantPackChoice> {
  const rows = stmts(db).choices.all(tenantId) as Array<{
    packId: string;
    enabled: number;
    config: string | null;
  }>;
  return new Map(rows.map((r) => [r.packId, { enabled: r.enabled === 1, config: r.config }]));
}

/** Enable or disable a pack for a tenant; `config` undefined keeps the stored one. */
export function setTenantPack(db: Db, tenantId: string, packId: string, enabled: boolean, config: string | null | undefined, by: string, at: string): void {
  db.prepare(
    `insert into policy_tenant_packs (tenant_id, pack_id, enabled, config, updated_by, updated_at) values (?, ?, ?, ?, ?, ?)
     on conflict (tenant_id, pack_id) do update set enabled = excluded.enabled,
       config = case when ? then excluded.config else policy_tenant_packs.config end,
       updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
  ).run(tenantId, packId, enabled ? 1 : 0, config ?? null, by, at, config === undefined ? 0 : 1);
}

/** True when this (digest, bundle, key) triple was verified before. */
export function isVerified(db: Db, digest: string, bundleSha256: string, keyId: string): boolean {
  return stmts(db).isVerified.get(digest, bundleSha256, keyId) !== undefined;
}

export function markVerified(db: Db, digest: string, bundleSha256: string, keyId: string, at: string): void {
  stmts(db).markVerified.run(digest, bundleSha256, keyId, at);
}

/** Status and estimate of one execution (to leave it out of its own admission figures). */
export function executionAdmission(db: Db, id: string): { status: string; estimatedMicros: number | null } | undefined {
  return db.prepare('select status, estimated_cost_micros as estimatedMicros from executions where id = ?').get(id) as
    | { status: string; estimatedMicros: number | null }
    | undefined;
}
