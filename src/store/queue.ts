/**
 * The durable execution queue (migration 006, ADR 0014): admission, claims under a lease, heartbeats,
 * reclaim of expired leases, queue positions and the worker registry. One function per operation,
 * each one transaction; callers never see SQL or SQLite specifics.
 *
 * On PostgreSQL (ADR 0028) every IMMEDIATE transaction here also takes one cluster-wide advisory lock,
 * so admission stays serialised across hosts; claims of holding executions take no global lock: they
 * lock candidate rows with `for update skip locked`. Publishing, requeueing and releasing notify
 * `maestro_queue` (LISTEN/NOTIFY wake-up of the pools).
 */
import { type Db, dialectOf, preparedOnce } from './db.js';
import type { ExecutionRow, NewExecution } from './executions.js';
import { type EvidenceFileRow, putEvidenceFiles } from './logs.js';

/** A process holding leases: a worker pool, a server's embedded pool, or a foreground `run`. */
export interface LeaseHolder {
  owner: string;
  pid: number;
  pidStart: string;
}

export interface AdmissionRequest {
  row: NewExecution;
  tasks: Array<{ id: string; digest: string }>;
  maxConcurrent: number;
  /** Wait mode: over the concurrency cap the execution stays queued (waiting) instead of denied. */
  wait: boolean;
  /** The daily budget gate; null when the tenant's budget is not enforced for this run. */
  budget: { capMicros: number; spentMicros: () => number } | null;
  /**
   * The publishing process. A foreground execution (row.detached 0) is leased to it at admission, so
   * no window exists between the two; a denial is leased to it until its evidence is sealed. Detached
   * admitted executions are left unleased for a pool to claim.
   */
  holder: LeaseHolder | null;
  nowMs: number;
  leaseMs: number;
  quotaReason(holders: string[]): string;
  budgetReason(spent: number, estimate: number, cap: number): string;
  /**
   * The execution's published files (workflow.json, manifest, plan, decisions), stored with an admitted
   * execution in the same transaction: a worker on another host reads them from the database.
   */
  files?: readonly EvidenceFileRow[];
}

export type AdmissionResult = { admitted: true; waiting: boolean } | { admitted: false; cause: 'quota' | 'budget'; reason: string; holders: string[] };

export interface QueueCounts {
  queued: number;
  waiting: number;
  running: number;
}

const stmts = preparedOnce((db: Db) => ({
  holding: db.prepare("select id from executions where tenant_id = ? and status in ('queued', 'running') and waiting = 0 order by published_at, id"),
  insert: db.prepare(
    `insert into executions (id, tenant_id, subject, workflow_name, manifest_digest, manifest_path, status, reason, sandbox,
       estimated_cost_micros, published_at, finished_at, dir, detached, waiting, lease_owner, lease_expires_at, runner_pid, runner_start, sealed)
     values (@id, @tenant_id, @subject, @workflow_name, @manifest_digest, @manifest_path, @status, @reason, @sandbox,
       @estimated_cost_micros, @published_at, @finished_at, @dir, @detached, @waiting, @lease_owner, @lease_expires_at, @runner_pid, @runner_start, 0)`,
  ),
  insertTask: db.prepare('insert into task_runs (execution_id, task_id, seq, status, command_digest) values (?, ?, ?, ?, ?)'),
  tenantsWithWork: db.prepare(
    `select t.id as tenantId, t.max_concurrent as maxConcurrent,
       (select count(*) from executions r where r.tenant_id = t.id and r.status = 'running') as running,
       (select count(*) from executions h where h.tenant_id = t.id and h.status in ('queued', 'running') and h.waiting = 0) as holding,
       (select min(o.published_at) from executions o where o.tenant_id = t.id and o.status = 'queued' and o.detached = 1 and o.lease_owner is null) as oldest
     from tenants t
     where exists (select 1 from executions q where q.tenant_id = t.id and q.status = 'queued' and q.detached = 1 and q.lease_owner is null)`,
  ),
  nextHolding: db.prepare(
    `select id from executions where tenant_id = ? and status = 'queued' and detached = 1 and lease_owner is null and waiting = 0
     order by published_at, id limit 1`,
  ),
  oldestWaiting: db.prepare(
    "select id, detached, lease_owner from executions where tenant_id = ? and status = 'queued' and waiting = 1 order by published_at, id limit 1",
  ),
  claim: db.prepare(
    `update executions set status = 'running', lease_owner = @owner, lease_expires_at = @expires, claimed_at = @at,
       attempts = attempts + 1, waiting = 0, runner_pid = @pid, runner_start = @pidStart
     where id = @id and status = 'queued' and lease_owner is null`,
  ),
  takeOwnSlot: db.prepare(
    `update executions set waiting = 0, lease_expires_at = @expires
     where id = @id and status = 'queued' and waiting = 1 and lease_owner = @owner`,
  ),
  start: db.prepare(
    `update executions set status = 'running', apparmor = @apparmor, claimed_at = coalesce(claimed_at, @at),
       attempts = case when status = 'queued' then attempts + 1 else attempts end
     where id = @id and lease_owner = @owner and status in ('queued', 'running') and waiting = 0`,
  ),
  renew: db.prepare("update executions set lease_expires_at = ? where lease_owner = ? and (status in ('queued', 'running') or sealed = 0)"),
  relocate: db.prepare("update executions set dir = ? where id = ? and lease_owner = ? and status in ('queued', 'running')"),
  held: db.prepare("select id from executions where lease_owner = ? and status in ('queued', 'running')"),
  lostOrEnded: db.prepare("select id, status from executions where lease_owner = ? and status not in ('queued', 'running') and sealed = 0"),
  expired: db.prepare("select * from executions where status in ('queued', 'running') and lease_owner is not null and lease_expires_at < ?"),
  heldBy: db.prepare("select * from executions where status in ('queued', 'running') and lease_owner = ?"),
  startedTasks: db.prepare("select count(*) as n from task_runs where execution_id = ? and status <> 'pending'"),
  requeue: db.prepare(
    `update executions set status = 'queued', lease_owner = null, lease_expires_at = null, claimed_at = null,
       runner_pid = null, runner_start = null, started_at = null, reason = ?
     where id = ? and lease_owner = ? and status in ('queued', 'running')`,
  ),
  fail: db.prepare(
    `update executions set status = 'failed', reason = ?, finished_at = ?
     where id = ? and lease_owner = ? and status in ('queued', 'running')`,
  ),
  settleRunning: db.prepare(
    "update task_runs set status = 'failed', reason = coalesce(reason, ?), finished_at = coalesce(finished_at, ?), sandbox_pgid = null where execution_id = ? and status = 'running'",
  ),
  settlePending: db.prepare(
    "update task_runs set status = 'skipped', reason = coalesce(reason, ?), finished_at = coalesce(finished_at, ?) where execution_id = ? and status = 'pending'",
  ),
  release: db.prepare(
    `update executions set status = 'queued', lease_owner = null, lease_expires_at = null, claimed_at = null,
       runner_pid = null, runner_start = null, started_at = null, attempts = case when attempts > 0 then attempts - 1 else 0 end
     where id = ? and lease_owner = ? and status = 'running' and detached = 1`,
  ),
  finish: db.prepare(
    `update executions set status = @status, reason = @reason, finished_at = @at,
       started_at = coalesce(started_at, (select min(started_at) from task_runs where execution_id = @id))
     where id = @id and status in ('queued', 'running') and (lease_owner = @owner or (@owner is null and lease_owner is null))`,
  ),
  started: db.prepare('update executions set started_at = coalesce(started_at, ?) where id = ?'),
  taskStart: db.prepare(
    `update task_runs set status = 'running', started_at = ?, sandbox_pgid = ?
     where execution_id = ? and task_id = ? and exists (select 1 from executions e where e.id = ? and e.lease_owner = ? and e.status = 'running')`,
  ),
  seal: db.prepare('update executions set sealed = 1 where id = ?'),
  unsealed: db.prepare(
    `select * from executions where sealed = 0 and status in ('succeeded', 'failed', 'cancelled', 'denied')
     order by finished_at, id limit ?`,
  ),
  // The same order, past a position (keyset paging); like the query above it reads only unsealed rows
  // (index executions_unsealed), so a page costs what the unsealed set costs, not the table.
  unsealedAfter: db.prepare(
    `select * from executions where sealed = 0 and status in ('succeeded', 'failed', 'cancelled', 'denied')
       and (finished_at > ? or (finished_at = ? and id > ?))
     order by finished_at, id limit ?`,
  ),
  position: db.prepare(
    `select count(*) as n from executions q where q.status = 'queued' and q.lease_owner is null
       and (q.published_at < ? or (q.published_at = ? and q.id < ?))
       and (q.tenant_id = ? or q.waiting = 0)`,
  ),
  counts: db.prepare(
    `select coalesce(sum(case when status = 'queued' then 1 else 0 end), 0) as queued,
       coalesce(sum(case when status = 'queued' and waiting = 1 then 1 else 0 end), 0) as waiting,
       coalesce(sum(case when status = 'running' then 1 else 0 end), 0) as running
     from executions where status in ('queued', 'running')`,
  ),
  claimable: db.prepare("select count(*) as n from executions where status = 'queued' and detached = 1 and lease_owner is null"),
  detachedActive: db.prepare("select count(*) as n from executions where status in ('queued', 'running') and detached = 1"),
  workerUpsert: db.prepare(
    `insert into workers (id, host, pid, pid_start, kind, concurrency, started_at, heartbeat_at) values (@id, @host, @pid, @pidStart, @kind, @concurrency, @startedAt, @heartbeatAt)
     on conflict (id) do update set heartbeat_at = excluded.heartbeat_at, stopped_at = null`,
  ),
  workerBeat: db.prepare('update workers set heartbeat_at = ? where id = ?'),
  workerStop: db.prepare('update workers set stopped_at = ? where id = ?'),
  workersAlive: db.prepare('select * from workers where stopped_at is null and heartbeat_at >= ? order by started_at'),
  workerGet: db.prepare('select * from workers where id = ?'),
  workersPrune: db.prepare(
    "delete from workers where (stopped_at is not null or heartbeat_at < ?) and id not in (select lease_owner from executions where lease_owner is not null and status in ('queued', 'running'))",
  ),
}));

/** The channel pools LISTEN on (PostgreSQL): published, requeued or released work. */
export const QUEUE_CHANNEL = 'maestro_queue';

const pgStmts = preparedOnce((db: Db) => ({
  notify: db.prepare(`select pg_notify('${QUEUE_CHANNEL}', '')`),
  // Round-robin across tenants (each tenant's oldest first), rows another host is claiming skipped.
  claim: db.prepare(
    `update executions e set status = 'running', lease_owner = @owner, lease_expires_at = @expires, claimed_at = @at,
       attempts = e.attempts + 1, waiting = 0, runner_pid = @pid, runner_start = @pidStart
     from (
       select x.id from executions x
       join (
         select id, row_number() over (partition by tenant_id order by published_at, id) as rn
         from executions where status = 'queued' and detached = 1 and lease_owner is null and waiting = 0
         order by rn, published_at, id limit @scan
       ) c on c.id = x.id
       where x.status = 'queued' and x.detached = 1 and x.lease_owner is null and x.waiting = 0
       order by c.rn, x.published_at, x.id limit @max
       for update of x skip locked
     ) picked
     where e.id = picked.id
     returning e.id`,
  ),
  waitingClaimable: db.prepare("select 1 as y from executions where status = 'queued' and detached = 1 and lease_owner is null and waiting = 1 limit 1"),
}));

/** Wakes the pools of every host (PostgreSQL; delivered when the transaction commits). No-op on SQLite. */
export function notifyQueue(db: Db): void {
  if (dialectOf(db) === 'postgres') pgStmts(db).notify.get();
}

/**
 * Atomic admission: budget (spent today + live estimates + this estimate vs the daily cap), then the
 * concurrency cap, then the insert (denied, queued, or queued waiting for a slot), task runs included.
 * Budget denials never wait. One IMMEDIATE transaction: no two admissions interleave.
 */
export function admit(db: Db, req: AdmissionRequest): AdmissionResult {
  const s = stmts(db);
  const { row } = req;
  const leased = (h: LeaseHolder | null) => ({
    lease_owner: h?.owner ?? null,
    lease_expires_at: h ? req.nowMs + req.leaseMs : null,
    runner_pid: h?.pid ?? null,
    runner_start: h?.pidStart ?? null,
  });
  const base = { ...row, ...leased(req.holder) };
  const queued = { ...row, ...leased(row.detached === 1 ? null : req.holder) };
  const insertTasks = (): void => {
    for (const [i, t] of req.tasks.entries()) s.insertTask.run(row.id, t.id, i, 'pending', t.digest);
  };
  const deny = (cause: 'quota' | 'budget', reason: string, holders: string[]): AdmissionResult => {
    s.insert.run({ ...base, status: 'denied', reason, finished_at: row.published_at, waiting: 0 });
    insertTasks();
    return { admitted: false, cause, reason, holders };
  };
  const txn = db.transaction((): AdmissionResult => {
    if (req.budget && row.estimated_cost_micros !== null) {
      const spent = req.budget.spentMicros();
      const estimate = row.estimated_cost_micros;
      const cap = req.budget.capMicros;
      if (cap > 0 ? spent + estimate > cap : spent + estimate > 0) return deny('budget', req.budgetReason(spent, estimate, cap), []);
    }
    const holders = (s.holding.all(row.tenant_id) as Array<{ id: string }>).map((r) => r.id);
    const full = holders.length >= req.maxConcurrent;
    if (full && !req.wait) return deny('quota', req.quotaReason(holders), holders);
    s.insert.run({ ...queued, status: 'queued', reason: null, finished_at: null, waiting: full ? 1 : 0 });
    insertTasks();
    if (req.files?.length) putEvidenceFiles(db, row.id, req.files, row.published_at);
    if (row.detached === 1) notifyQueue(db);
    return { admitted: true, waiting: full };
  });
  return txn.immediate();
}

/** Records an execution denied before admission (by policy), with its task runs. */
export function insertDenied(
  db: Db,
  row: NewExecution,
  tasks: Array<{ id: string; digest: string }>,
  reason: string,
  holder: LeaseHolder | null,
  nowMs: number,
  leaseMs: number,
): void {
  const s = stmts(db);
  db.transaction(() => {
    s.insert.run({
      ...row,
      status: 'denied',
      reason,
      finished_at: row.published_at,
      waiting: 0,
      lease_owner: holder?.owner ?? null,
      lease_expires_at: holder ? nowMs + leaseMs : null,
      runner_pid: holder?.pid ?? null,
      runner_start: holder?.pidStart ?? null,
    });
    for (const [i, t] of tasks.entries()) s.insertTask.run(row.id, t.id, i, 'pending', t.digest);
  }).immediate();
}

/**
 * Claims up to `max` queued executions for a worker pool, fairly across tenants: each pick goes to the
 * tenant with the fewest running executions (ties: the one whose next execution is oldest), so one
 * tenant's backlog never starves another's. A waiting (wait-mode) execution is taken only when its
 * tenant has a free slot. Returns the claimed rows.
 */
export function claimBatch(db: Db, holder: LeaseHolder, max: number, nowMs: number, leaseMs: number): ExecutionRow[] {
  const s = stmts(db);
  const get = db.prepare('select * from executions where id = ?');
  let ids: string[] = [];
  if (dialectOf(db) === 'postgres') {
    // Holding executions were admitted under the tenant's cap already: row locks suffice, no global lock.
    const p = pgStmts(db);
    const at = new Date(nowMs).toISOString();
    const params = { owner: holder.owner, expires: nowMs + leaseMs, at, pid: holder.pid, pidStart: holder.pidStart, max, scan: max * 4 + 16 };
    ids = (p.claim.all(params) as Array<{ id: string }>).map((r) => r.id);
    // Waiting (wait-mode) executions need the tenant's free slot: decided under the global lock below.
    if (ids.length >= max || !p.waitingClaimable.get()) return ids.map((id) => get.get(id) as ExecutionRow);
    max -= ids.length;
  }
  const txn = db.transaction((): string[] => {
    const tenants = s.tenantsWithWork.all() as Array<{ tenantId: string; maxConcurrent: number; running: number; holding: number; oldest: string }>;
    const claimed: string[] = [];
    const at = new Date(nowMs).toISOString();
    while (claimed.length < max && tenants.length > 0) {
      tenants.sort((a, b) => a.running - b.running || (a.oldest < b.oldest ? -1 : a.oldest > b.oldest ? 1 : 0));
      const t = tenants[0]!;
      let id = (s.nextHolding.get(t.tenantId) as { id: string } | undefined)?.id;
      if (!id && t.holding < t.maxConcurrent) {
        const w = s.oldestWaiting.get(t.tenantId) as { id: string; detached: number; lease_owner: string | null } | undefined;
        // FIFO within the tenant: an older foreground waiter goes first (it claims its own slot).
        if (w && w.detached === 1 && w.lease_owner === null) {
          id = w.id;
          t.holding += 1;
        }
      }
      if (!id) {
        tenants.shift();
        continue;
      }
      // On PostgreSQL another host may hold this row (skip-locked claim): then leave the tenant for now.
      if (s.claim.run({ id, owner: holder.owner, expires: nowMs + leaseMs, at, pid: holder.pid, pidStart: holder.pidStart }).changes !== 1) {
        tenants.shift();
        continue;
      }
      t.running += 1;
      claimed.push(id);
    }
    return claimed;
  });
  ids = [...ids, ...txn.immediate()];
  return ids.map((id) => get.get(id) as ExecutionRow);
}

/**
 * A foreground runner in wait mode takes a slot for its own waiting execution when its tenant has a
 * free one and it is the tenant's oldest waiter. True when it now holds a slot.
 */
export function claimOwnSlot(db: Db, id: string, holder: LeaseHolder, maxConcurrent: number, nowMs: number, leaseMs: number): boolean {
  const s = stmts(db);
  return db
    .transaction((): boolean => {
      const row = db.prepare('select tenant_id, waiting from executions where id = ?').get(id) as { tenant_id: string; waiting: number } | undefined;
      if (!row) return false;
      if (row.waiting === 0) return true;
      const holding = (s.holding.all(row.tenant_id) as unknown[]).length;
      const oldest = s.oldestWaiting.get(row.tenant_id) as { id: string } | undefined;
      if (holding >= maxConcurrent || oldest?.id !== id) return false;
      return s.takeOwnSlot.run({ id, owner: holder.owner, expires: nowMs + leaseMs }).changes === 1;
    })
    .immediate();
}

/** The holder starts an execution it holds (queued → running). False when it no longer holds it. */
export function startHeld(db: Db, id: string, owner: string, apparmor: string, at: string): boolean {
  return stmts(db).start.run({ id, owner, apparmor, at }).changes === 1;
}

/**
 * Points a held execution at its directory on this host (a worker on another host than the publisher
 * rebuilt it from the database). False when the holder no longer holds it.
 */
export function relocateHeld(db: Db, id: string, owner: string, dir: string): boolean {
  return stmts(db).relocate.run(dir, id, owner).changes === 1;
}

/** Renews every lease of a holder; returns the ids it still holds. */
export function renewLeases(db: Db, owner: string, nowMs: number, leaseMs: number): string[] {
  const s = stmts(db);
  return db
    .transaction(() => {
      s.renew.run(nowMs + leaseMs, owner);
      return (s.held.all(owner) as Array<{ id: string }>).map((r) => r.id);
    })
    .immediate();
}

/** Ids of the executions a holder still has leased (queued or running). */
export function heldIds(db: Db, owner: string): string[] {
  return (stmts(db).held.all(owner) as Array<{ id: string }>).map((r) => r.id);
}

/** Executions a holder still has leased (queued or running). */
export function heldExecutions(db: Db, owner: string): ExecutionRow[] {
  return stmts(db).heldBy.all(owner) as ExecutionRow[];
}

/** Active executions whose lease has expired (their holder stopped heartbeating). */
export function expiredLeases(db: Db, nowMs: number): ExecutionRow[] {
  return stmts(db).expired.all(nowMs) as ExecutionRow[];
}

export type ReclaimOutcome = 'requeued' | 'failed' | null;

/**
 * Reclaims an execution from a holder that is gone: back to the queue when it may be retried (a
 * detached execution, no task started, first attempt), else failed with `reason`; its tasks settled.
 * `null` when the lease changed hands meanwhile (nothing done). One transaction, so a task can never
 * start (see markTaskStartedHeld) between the check and the requeue.
 */
export function reclaim(db: Db, row: ExecutionRow, reason: string, retryNote: string, at: string): ReclaimOutcome {
  const s = stmts(db);
  const owner = row.lease_owner;
  if (!owner) return null;
  return db
    .transaction((): ReclaimOutcome => {
      const started = (s.startedTasks.get(row.id) as { n: number }).n;
      const fresh = db.prepare('select attempts, detached from executions where id = ?').get(row.id) as { attempts: number; detached: number } | undefined;
      if (fresh && fresh.detached === 1 && started === 0 && fresh.attempts < 2) {
        if (s.requeue.run(retryNote, row.id, owner).changes !== 1) return null;
        notifyQueue(db);
        return 'requeued';
      }
      if (s.fail.run(reason, at, row.id, owner).changes !== 1) return null;
      s.settleRunning.run('the worker running this task died', at, row.id);
      s.settlePending.run('the worker died before this task started', at, row.id);
      return 'failed';
    })
    .immediate();
}

/** Graceful shutdown: hands a running detached execution with no started task back to the queue. */
export function releaseExecution(db: Db, id: string, owner: string): boolean {
  const s = stmts(db);
  return db
    .transaction((): boolean => {
      if ((s.startedTasks.get(id) as { n: number }).n > 0) return false;
      if (s.release.run(id, owner).changes !== 1) return false;
      notifyQueue(db);
      return true;
    })
    .immediate();
}

/** Ends an execution (fenced: only its holder may; `owner` null ends only an unleased one). A cancel that came first wins. */
export function finishHeld(db: Db, id: string, owner: string | null, status: ExecutionRow['status'], reason: string | null, at: string): boolean {
  return stmts(db).finish.run({ id, owner, status, reason, at }).changes === 1;
}

/** The first sandbox of an execution is running: its start time. */
export function markExecutionStarted(db: Db, id: string, at: string): void {
  stmts(db).started.run(at, id);
}

/** A task starts, only while `owner` still holds the execution (fencing against a reclaim). */
export function markTaskStartedHeld(db: Db, executionId: string, taskId: string, owner: string, at: string, pgid: number | null): boolean {
  return stmts(db).taskStart.run(at, pgid, executionId, taskId, executionId, owner).changes === 1;
}

/** The execution's final evidence (execution.json, receipt) is written. */
export function markSealed(db: Db, id: string): void {
  stmts(db).seal.run(id);
}

/** Where a sweep over unsealed executions stands: the last row it read (their order is finished_at, id). */
export interface UnsealedPosition {
  finishedAt: string;
  id: string;
}

/**
 * Terminal executions whose evidence is not sealed, oldest first (finished_at, id), at most `limit`;
 * with `after`, only those past that position, so a sweep can page through all of them.
 */
export function unsealedExecutions(db: Db, limit: number, after?: UnsealedPosition): ExecutionRow[] {
  const s = stmts(db);
  return (after ? s.unsealedAfter.all(after.finishedAt, after.finishedAt, after.id, limit) : s.unsealed.all(limit)) as ExecutionRow[];
}

/** Ended executions a holder still has to seal (e.g. cancelled from outside). */
export function endedHeld(db: Db, owner: string): Array<{ id: string; status: string }> {
  return stmts(db).lostOrEnded.all(owner) as Array<{ id: string; status: string }>;
}

/**
 * 1-based position of a queued execution in the dispatch order (executions queued before it that
 * will be dispatched first: all older holding ones, and its own tenant's older waiting ones), or null
 * when it is not queued.
 */
export function queuePosition(db: Db, row: Pick<ExecutionRow, 'id' | 'status' | 'published_at' | 'tenant_id' | 'lease_owner'>): number | null {
  if (row.status !== 'queued') return null;
  const n = (stmts(db).position.get(row.published_at, row.published_at, row.id, row.tenant_id) as { n: number }).n;
  return n + 1;
}

/**
 * The executions holding a slot of a tenant's concurrency quota, in publish order: queued or running,
 * not waiting for a slot (wait mode). The quota's "in use", for the policy input and whoami.
 */
export function slotHolderIds(db: Db, tenantId: string): string[] {
  return (stmts(db).holding.all(tenantId) as Array<{ id: string }>).map((r) => r.id);
}

/** Queued (incl. waiting) and running counts over the whole store. */
export function queueCounts(db: Db): QueueCounts {
  return stmts(db).counts.get() as QueueCounts;
}

/** Queued executions a worker pool may claim now or later. */
export function claimableCount(db: Db): number {
  return (stmts(db).claimable.get() as { n: number }).n;
}

/** Detached executions not yet ended (queued, or running in any pool). */
export function detachedActiveCount(db: Db): number {
  return (stmts(db).detachedActive.get() as { n: number }).n;
}

export interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  pid_start: string | null;
  kind: 'pool' | 'serve' | 'run';
  concurrency: number;
  started_at: string;
  heartbeat_at: number;
  stopped_at: string | null;
}

export function registerWorker(
  db: Db,
  w: { id: string; host: string; pid: number; pidStart: string; kind: WorkerRow['kind']; concurrency: number; startedAt: string; heartbeatAt: number },
): void {
  stmts(db).workerUpsert.run(w);
}

export function workerHeartbeat(db: Db, id: string, nowMs: number): void {
  stmts(db).workerBeat.run(nowMs, id);
}

export function stopWorker(db: Db, id: string, at: string): void {
  stmts(db).workerStop.run(at, id);
}

export function getWorker(db: Db, id: string): WorkerRow | undefined {
  return stmts(db).workerGet.get(id) as WorkerRow | undefined;
}

/** Workers that heartbeat at or after `sinceMs` and have not stopped. */
export function aliveWorkers(db: Db, sinceMs: number): WorkerRow[] {
  return stmts(db).workersAlive.all(sinceMs) as WorkerRow[];
}

/** Drops stopped or long-silent worker rows that hold nothing (bounded registry). */
export function pruneWorkers(db: Db, silentBeforeMs: number): void {
  stmts(db).workersPrune.run(silentBeforeMs);
}
