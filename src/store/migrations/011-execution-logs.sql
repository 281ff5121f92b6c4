-- Evidence in the database (ADR 0030): task log lines, written in batches by the worker that runs the
-- execution, and the evidence files sealed at its end (execution.json, manifest.yaml, plan.json,
-- decisions.json, the receipt, outputs), so any replica serves logs, receipts and disclosure packs.
create table execution_logs (
  execution_id text not null references executions(id) on delete cascade,
  seq integer not null,
  task_id text not null,
  ts text not null,
  stream text not null check (stream in ('stdout', 'stderr')),
  -- The line as a JSON string literal: keeps every character (a NUL too) and renders the ndjson bytes.
  line_json text not null,
  bytes integer not null,
  primary key (execution_id, seq)
);

create index execution_logs_task on execution_logs (execution_id, task_id, seq);

create table execution_files (
  execution_id text not null references executions(id) on delete cascade,
  path text not null,
  size integer not null,
  sha256 text not null,
  content blob not null,
  stored_at text not null,
  primary key (execution_id, path)
);
