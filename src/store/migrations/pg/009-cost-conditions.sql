-- PostgreSQL dialect of 009-cost-conditions.sql (ADR 0028): integer -> bigint, real -> double precision;
-- timestamps stay ISO-8601 text, booleans stay 0/1 integers, as in SQLite.
-- Cost estimates under load and on first runs (issue 18, ADR 0026): the host conditions each task ran
-- under, the command shape used to find similar tasks for first-run priors, and the tenant's choice of
-- the estimate its budget admits with.

-- Host conditions over the task's run (null for rows recorded before this migration: treated as quiet).
alter table cost_task_history add column host_load1 double precision;
alter table cost_task_history add column host_steal_pct double precision;
alter table cost_task_history add column host_ncpu bigint;
alter table cost_task_history add column host_runnable double precision;
-- max(1, runnable / ncpu): the run-queue stretch of a CPU-bound thread's wall time.
alter table cost_task_history add column host_contention double precision;
-- The command's shape (its programs, e.g. "head|sha256sum"): first-run priors match on it.
alter table cost_task_history add column command_shape text;
-- The estimate's interval, to report coverage.
alter table cost_task_history add column estimated_low_micros bigint;
alter table cost_task_history add column estimated_high_micros bigint;

create index cost_task_history_similar on cost_task_history (uses, resource_class, command_shape);

-- Which estimate the budget admits a run with: 'point' (default) or 'high' (the interval's upper end).
create table cost_tenant_settings (
  tenant_id text primary key,
  estimate_basis text not null default 'point' check (estimate_basis in ('point', 'high')),
  updated_at text not null
);
