-- PostgreSQL dialect of 012-cost-unrecorded.sql (ADR 0028): the same partial index.
-- Budget admission (spent today, on every publish): finished executions whose actual cost is not in
-- the ledger yet. insertActuals sets actual_cost_micros in the transaction that books the ledger, so
-- "not recorded" is "actual_cost_micros is null"; partial, the index holds only the active and the
-- few finished-but-unbooked executions, not the day's whole history.
create index if not exists executions_cost_unrecorded on executions (tenant_id, finished_at)
  where actual_cost_micros is null;
