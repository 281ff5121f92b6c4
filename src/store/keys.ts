/**
 * SQL for trusted receipt-signing keys (migration 010, ADR 0030). Portable SQL (SQLite and PostgreSQL):
 * enrolment is `on conflict do nothing`, so enrolling twice, or enrolling a revoked key again, changes nothing.
 */
import { type Db, preparedOnce } from './db.js';

export interface TrustedKeyRow {
  key_id: string;
  public_key_pem: string;
  algorithm: string;
  owner: string;
  enrolled_at: string;
  revoked_at: string | null;
  revoked_reason: string | null;
  revoked_by: string | null;
}

/** At most this many trusted keys are listed (a bound on every read of the table). */
export const MAX_TRUSTED_KEYS = 10_000;

const stmts = preparedOnce((db: Db) => ({
  enrol: db.prepare(
    `insert into trusted_keys (key_id, public_key_pem, algorithm, owner, enrolled_at)
     values (?, ?, ?, ?, ?) on conflict (key_id) do nothing`,
  ),
  get: db.prepare('select * from trusted_keys where key_id = ?'),
  byPrefix: db.prepare('select * from trusted_keys where key_id like ? order by key_id limit 2'),
  list: db.prepare(`select * from trusted_keys order by enrolled_at, key_id limit ${MAX_TRUSTED_KEYS}`),
  revoke: db.prepare('update trusted_keys set revoked_at = ?, revoked_reason = ?, revoked_by = ? where key_id = ? and revoked_at is null'),
}));

/** Enrol a public key; returns true when it was new (an existing row, revoked or not, is left as is). */
export function enrolTrustedKey(db: Db, key: { id: string; pem: string; algorithm: string; owner: string; at: string }): boolean {
  return stmts(db).enrol.run(key.id, key.pem, key.algorithm, key.owner, key.at).changes === 1;
}

/** One trusted key by full id, or by a unique id prefix (8+ hex characters); undefined when none or ambiguous. */
export function findTrustedKey(db: Db, ref: string): { row?: TrustedKeyRow; ambiguous: boolean } {
  const exact = stmts(db).get.get(ref) as TrustedKeyRow | undefined;
  if (exact) return { row: exact, ambiguous: false };
  if (!/^[0-9a-f]{8,64}$/.test(ref)) return { ambiguous: false };
  const rows = stmts(db).byPrefix.all(`${ref}%`) as TrustedKeyRow[];
  return rows.length === 1 ? { row: rows[0]!, ambiguous: false } : { ambiguous: rows.length > 1 };
}

/** Every trusted key, revoked ones included, oldest enrolment first. */
export function listTrustedKeys(db: Db): TrustedKeyRow[] {
  return stmts(db).list.all() as TrustedKeyRow[];
}

/** Revoke a key; false when it was already revoked (the first revocation's time and reason stand). */
export function revokeTrustedKey(db: Db, id: string, revocation: { at: string; reason: string; by: string }): boolean {
  return stmts(db).revoke.run(revocation.at, revocation.reason, revocation.by, id).changes === 1;
}
