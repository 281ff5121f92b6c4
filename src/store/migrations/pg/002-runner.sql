-- PostgreSQL dialect of 002-runner.sql (ADR 0028): integer -> bigint, real -> double precision;
-- timestamps stay ISO-8601 text, booleans stay 0/1 integers, as in SQLite.
-- Runner (issue 4): who runs an execution (for crash recovery), where its files are, and one row per
-- task run with its measured usage. Timestamps ISO-8601 UTC text; usage in bigint ms / KiB / bytes.

alter table executions add column runner_pid bigint;
-- /proc/<pid>/stat start time of the runner process: a recycled pid never matches it
alter table executions add column runner_start text;
alter table executions add column dir text;
alter table executions add column apparmor text;
alter table executions add column detached bigint not null default 0 check (detached in (0, 1));

create table task_runs (
  execution_id text not null references executions(id) on delete cascade,
  task_id text not null,
  -- position in topological order, for stable listings
  seq bigint not null,
  status text not null check (status in ('pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled')),
  exit_code bigint,
  reason text,
  started_at text,
  finished_at text,
  cpu_ms bigint,
  peak_rss_kb bigint,
  wall_ms bigint,
  bytes_written bigint,
  -- sha256 of the task's command, env and resources: what exactly ran
  command_digest text not null,
  -- process group of the sandbox while running (killed by crash recovery)
  sandbox_pgid bigint,
  primary key (execution_id, task_id)
);

create index task_runs_status on task_runs (status);
create index executions_status on executions (status, published_at);
