-- PostgreSQL dialect of 008-enrolment-codes.sql (ADR 0028): integer -> bigint, real -> double precision;
-- timestamps stay ISO-8601 text, booleans stay 0/1 integers, as in SQLite.
-- One-time enrolment codes (`maestro tenants members invite`): only the SHA-256 of the code is kept.
create table enrolment_codes (
  code_hash text primary key,
  tenant_id text not null references tenants(id),
  subject text not null,
  role text not null,
  created_by text not null,
  created_at text not null,
  expires_at text not null,
  used_at text
);

create index enrolment_codes_expires on enrolment_codes (expires_at);
