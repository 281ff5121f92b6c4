-- PostgreSQL dialect of 001-init.sql (ADR 0028): integer -> bigint, real -> double precision;
-- timestamps stay ISO-8601 text, booleans stay 0/1 integers, as in SQLite.
-- Foundation schema (spec §6 adapted to SQLite; kept portable to PostgreSQL).
-- Ids are text (UUIDs); timestamps are ISO-8601 UTC text; money is bigint micro-dollars.

create table tenants (
  id text primary key,
  name text not null unique,
  daily_budget_micros bigint not null default 100000000 check (daily_budget_micros >= 0),
  max_concurrent bigint not null default 25 check (max_concurrent >= 0),
  day_timezone text not null default 'UTC',
  require_sandbox bigint not null default 1 check (require_sandbox in (0, 1)),
  created_at text not null
);

create table tenant_members (
  tenant_id text not null references tenants(id) on delete cascade,
  subject text not null,
  role text not null check (role in ('admin', 'operator', 'composer', 'viewer')),
  created_at text not null,
  updated_at text not null,
  primary key (tenant_id, subject)
);

create index tenant_members_subject on tenant_members (subject);

create table executions (
  id text primary key,
  tenant_id text not null references tenants(id),
  subject text not null,
  workflow_name text not null,
  manifest_digest text not null,
  manifest_path text,
  status text not null check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'denied')),
  reason text,
  sandbox text,
  estimated_cost_micros bigint,
  actual_cost_micros bigint,
  published_at text not null,
  started_at text,
  finished_at text
);

create index executions_tenant_started on executions (tenant_id, started_at);
create index executions_tenant_status on executions (tenant_id, status);
create index executions_published on executions (published_at);

-- Engine-wide settings (default tenant id, etc.).
create table settings (
  key text primary key,
  value text not null
);
