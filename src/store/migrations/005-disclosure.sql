-- Disclosure pack exports: turnaround per export (the exporter-TAT alert of spec §10 reads it).
create table disclosure_exports (
  id text primary key,
  execution_id text not null,
  tenant_id text not null references tenants(id),
  started_at text not null,
  finished_at text not null,
  seconds real not null,
  bytes integer not null,
  uploaded integer not null default 0 check (uploaded in (0, 1))
);

create index disclosure_exports_finished on disclosure_exports (finished_at);
