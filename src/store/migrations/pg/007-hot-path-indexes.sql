-- PostgreSQL dialect of 007-hot-path-indexes.sql (ADR 0028): integer -> bigint, real -> double precision;
-- timestamps stay ISO-8601 text, booleans stay 0/1 integers, as in SQLite.
-- Hot paths (issue 11, ADR 0016): every query of whoami, status, admission and decision lookups
-- searches an index (test/store/hot-paths.test.ts checks each one's EXPLAIN QUERY PLAN).

-- status latest / list: a tenant's executions newest first, without a sort.
create index if not exists executions_tenant_published on executions (tenant_id, published_at, id);

-- admission, whoami and live estimates: a tenant's active (queued or running) executions in publish
-- order; partial, so it stays as small as the set of active executions however long the history.
create index if not exists executions_tenant_active on executions (tenant_id, published_at, id)
  where status in ('queued', 'running');

-- status: an execution's task runs in topological order, without a sort.
create index if not exists task_runs_execution_seq on task_runs (execution_id, seq);

-- whoami and budget admission (spent today): a tenant's executions finished since a given time.
create index if not exists executions_tenant_finished on executions (tenant_id, finished_at);

-- recovery's sealing sweep (run by status): terminal executions whose evidence is not sealed yet,
-- oldest first; partial, so it holds only the few unsealed ones.
create index if not exists executions_unsealed_finished on executions (finished_at, id)
  where sealed = 0 and status in ('succeeded', 'failed', 'cancelled', 'denied');
