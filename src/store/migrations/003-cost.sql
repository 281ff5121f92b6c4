-- Cost governor (issue 5): per-execution estimate vs actual, per-task history matched by task digest,
-- the per-tenant daily spend ledger, and calibration factors. Money is integer micro-dollars.

-- One row per finished execution whose actual cost was recorded (idempotent per execution).
create table cost_actuals (
  execution_id text primary key,
  tenant_id text not null,
  workflow_name text not null,
  status text not null,
  estimated_micros integer not null check (estimated_micros >= 0),
  actual_micros integer not null check (actual_micros >= 0),
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
  cpu real not null,
  memory_mb real not null,
  expected_sec real,
  status text not null,
  cpu_sec real not null,
  peak_rss_mb real not null,
  wall_sec real not null,
  bytes_written integer not null,
  estimate_source text not null,
  estimated_micros integer not null,
  actual_micros integer not null,
  finished_at text not null,
  primary key (execution_id, task_id)
);

create index cost_task_history_digest on cost_task_history (tenant_id, task_digest, finished_at);
create index cost_task_history_finished on cost_task_history (finished_at);

-- Spend per tenant per tenant-local day.
create table cost_spend_ledger (
  tenant_id text not null,
  day text not null,
  spent_micros integer not null default 0 check (spent_micros >= 0),
  executions integer not null default 0,
  updated_at text not null,
  primary key (tenant_id, day)
);

-- Fitted by `maestro cost calibrate`, per (uses, resource class).
create table cost_calibration (
  uses text not null,
  resource_class text not null,
  default_sec real,
  cpu_util real not null,
  mem_util real not null,
  declared_factor real not null,
  history_correction real not null,
  history_window integer not null,
  samples integer not null,
  fitted_at text not null,
  primary key (uses, resource_class)
);
