-- PostgreSQL dialect of 003-cost.sql (ADR 0028): integer -> bigint, real -> double precision;
-- timestamps stay ISO-8601 text, booleans stay 0/1 integers, as in SQLite.
-- Cost governor (issue 5): per-execution estimate vs actual, per-task history matched by task digest,
-- the per-tenant daily spend ledger, and calibration factors. Money is bigint micro-dollars.

-- One row per finished execution whose actual cost was recorded (idempotent per execution).
create table cost_actuals (
  execution_id text primary key,
  tenant_id text not null,
  workflow_name text not null,
  status text not null,
  estimated_micros bigint not null check (estimated_micros >= 0),
  actual_micros bigint not null check (actual_micros >= 0),
  prices_digest text not null,
  finished_at text not null,
  -- the tenant-local day (YYYY-MM-DD) the actual was booked to in the spend ledger
  ledger_day text not null
);

create index cost_actuals_tenant_finished on cost_actuals (tenant_id, finished_at);
create index cost_actuals_finished on cost_actuals (finished_at);

-- Measured usage of every task that ran: the history the estimator reads.
create table cost_task_history (
  execution_id text not null,
  task_id text not null,
  tenant_id text not null,
  task_digest text not null,
  uses text not null,
  resource_class text not null,
  cpu double precision not null,
  memory_mb double precision not null,
  expected_sec double precision,
  status text not null,
  cpu_sec double precision not null,
  peak_rss_mb double precision not null,
  wall_sec double precision not null,
  bytes_written bigint not null,
  estimate_source text not null,
  estimated_micros bigint not null,
  actual_micros bigint not null,
  finished_at text not null,
  primary key (execution_id, task_id)
);

create index cost_task_history_digest on cost_task_history (tenant_id, task_digest, finished_at);
create index cost_task_history_finished on cost_task_history (finished_at);

-- Spend per tenant per tenant-local day.
create table cost_spend_ledger (
  tenant_id text not null,
  day text not null,
  spent_micros bigint not null default 0 check (spent_micros >= 0),
  executions bigint not null default 0,
  updated_at text not null,
  primary key (tenant_id, day)
);

-- Fitted by `maestro cost calibrate`, per (uses, resource class).
create table cost_calibration (
  uses text not null,
  resource_class text not null,
  default_sec double precision,
  cpu_util double precision not null,
  mem_util double precision not null,
  declared_factor double precision not null,
  history_correction double precision not null,
  history_window bigint not null,
  samples bigint not null,
  fitted_at text not null,
  primary key (uses, resource_class)
);
