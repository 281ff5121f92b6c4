-- PostgreSQL dialect of 004-policy.sql (ADR 0028): integer -> bigint, real -> double precision;
-- timestamps stay ISO-8601 text, booleans stay 0/1 integers, as in SQLite.
-- Policy packs and decisions (issue 6). Every plan/run decision is recorded, linked to its execution
-- when there is one; the counters the control plane exports are derived from these tables.

create table policy_decisions (
  id text primary key,
  -- SQLite's implicit rowid, which the store orders by (insertion order)
  rowid bigint generated always as identity,
  tenant_id text not null references tenants(id) on delete cascade,
  -- null for decisions made at plan time (no execution yet)
  execution_id text,
  subject text not null,
  action text not null,
  outcome text not null check (outcome in ('allow', 'deny', 'warn')),
  -- JSON: [{pack, rule, message, location}]
  reasons text not null,
  warnings text not null,
  -- JSON: [{id, version, digest, signature}]
  packs text not null,
  eval_ms double precision not null check (eval_ms >= 0),
  -- the plan's estimate in micro-dollars, when the input had one (mc_cost_estimate_usd)
  estimate_micros bigint,
  -- JSON explanation (rules fired, budget context), kept for status --explain
  explanation text,
  created_at text not null
);

create index policy_decisions_execution on policy_decisions (execution_id, created_at);
create index policy_decisions_tenant on policy_decisions (tenant_id, created_at);

-- Denies per tenant and pack (mc_tenant_denies_total{tenant,pack}).
create table policy_deny_counts (
  tenant_id text not null references tenants(id) on delete cascade,
  pack_id text not null,
  denies bigint not null default 0,
  primary key (tenant_id, pack_id)
);

-- Evaluation time histogram (mc_policy_eval_ms): cumulative counts per upper bound in ms ('+Inf' last).
create table policy_eval_histogram (
  le text primary key,
  count bigint not null default 0
);

create table policy_eval_totals (
  id bigint primary key check (id = 1),
  count bigint not null default 0,
  sum_ms double precision not null default 0
);

-- A tenant's explicit choice for a pack; packs with no row follow their default (shipped: enabled).
create table policy_tenant_packs (
  tenant_id text not null references tenants(id) on delete cascade,
  pack_id text not null,
  enabled bigint not null check (enabled in (0, 1)),
  -- JSON: the tenant's data for the pack, placed at data.maestro.config.<pack> (null: pack defaults)
  config text,
  updated_by text not null,
  updated_at text not null,
  primary key (tenant_id, pack_id)
);

-- Signatures already checked: (pack digest, bundle sha256, key id) verified once need no crypto again.
create table policy_pack_verified (
  digest text not null,
  bundle_sha256 text not null,
  key_id text not null,
  verified_at text not null,
  primary key (digest, bundle_sha256, key_id)
);
