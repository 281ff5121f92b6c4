-- PostgreSQL dialect of 005-disclosure.sql (ADR 0028): integer -> bigint, real -> double precision;
-- timestamps stay ISO-8601 text, booleans stay 0/1 integers, as in SQLite.
-- Disclosure pack exports: turnaround per export (the exporter-TAT alert of spec §10 reads it).
create table disclosure_exports (
  id text primary key,
  execution_id text not null,
  tenant_id text not null references tenants(id),
  started_at text not null,
  finished_at text not null,
  seconds double precision not null,
  bytes bigint not null,
  uploaded bigint not null default 0 check (uploaded in (0, 1))
);

create index disclosure_exports_finished on disclosure_exports (finished_at);
