-- PostgreSQL dialect of 006-queue.sql (ADR 0028): integer -> bigint, real -> double precision;
-- timestamps stay ISO-8601 text, booleans stay 0/1 integers, as in SQLite.
-- Execution service (issue 11, ADR 0014; evidence sealing ADR 0015): a durable queue in the executions
-- table, leases held by worker processes, and the registry of workers. Written to port unchanged in
-- shape to PostgreSQL (bigint epoch milliseconds for lease arithmetic, no SQLite-only types).

-- Who holds the execution now (a worker id, "w_<host>_<pid>_<rand>"), until when (epoch ms). A holder
-- renews its leases with one UPDATE per heartbeat; an expired lease is reclaimed by recovery.
alter table executions add column lease_owner text;
alter table executions add column lease_expires_at bigint;
-- When a worker claimed the row (started_at is when the first sandbox actually runs).
alter table executions add column claimed_at text;
-- Claims so far: an execution whose worker died before any task started is retried once.
alter table executions add column attempts bigint not null default 0;
-- Wait mode (`run --queue`): queued but holding no quota slot until one frees.
alter table executions add column waiting bigint not null default 0 check (waiting in (0, 1));
-- 1 once the final execution.json and the receipt are written for a terminal status. A terminal
-- execution with sealed = 0 and no live holder is sealed (rebuilt from the store) by recovery.
alter table executions add column sealed bigint not null default 0 check (sealed in (0, 1));

-- Per-task details the record needs beyond the numbers (written files, exact cpu/rss): JSON, so a
-- record (and its receipt) can be rebuilt from the store alone.
alter table task_runs add column extras text;

create index executions_lease on executions (status, lease_expires_at);
create index executions_lease_owner on executions (lease_owner);
create index executions_queue on executions (status, waiting, published_at);
create index executions_unsealed on executions (sealed, status);

-- Long-lived worker pools (and foreground runners) with their heartbeat, for liveness and `status`.
create table workers (
  id text primary key,
  -- host identity (hostname + boot id): pid checks only mean something on the same host and boot
  host text not null,
  pid bigint not null,
  -- /proc/<pid>/stat start time: a recycled pid never matches it
  pid_start text,
  kind text not null check (kind in ('pool', 'serve', 'run')),
  concurrency bigint not null,
  started_at text not null,
  heartbeat_at bigint not null,
  stopped_at text
);

create index workers_alive on workers (stopped_at, heartbeat_at);
