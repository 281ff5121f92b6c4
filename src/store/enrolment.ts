/** Enrolment codes: hashed, one-time, expiring (see tenancy/enrolment.ts). */
import type { Db } from './db.js';
import { preparedOnce } from './db.js';

export interface EnrolmentRow {
  code_hash: string;
  tenant_id: string;
  subject: string;
  role: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** Codes open at once per tenant: issuing more fails until some are used or expire. */
export const MAX_OPEN_CODES_PER_TENANT = 1000;

const insert = preparedOnce((db) =>
  db.prepare(
    'insert into enrolment_codes (code_hash, tenant_id, subject, role, created_by, created_at, expires_at) values (@code_hash, @tenant_id, @subject, @role, @created_by, @created_at, @expires_at)',
  ),
);
const openCount = preparedOnce((db) => db.prepare('select count(*) as n from enrolment_codes where tenant_id = ? and used_at is null and expires_at > ?'));
const purge = preparedOnce((db) => db.prepare('delete from enrolment_codes where expires_at <= ? or used_at is not null and used_at <= ?'));
const claim = preparedOnce((db) => db.prepare('update enrolment_codes set used_at = ? where code_hash = ? and used_at is null and expires_at > ? returning *'));
const byHash = preparedOnce((db) => db.prepare('select * from enrolment_codes where code_hash = ?'));

/** Stores a new code's hash; false when the tenant already has MAX_OPEN_CODES_PER_TENANT open codes. */
export function insertEnrolment(db: Db, row: Omit<EnrolmentRow, 'used_at'>): boolean {
  return db
    .transaction(() => {
      // Keep the table bounded: expired codes, and used ones older than a day, go first.
      purge(db).run(row.created_at, new Date(Date.parse(row.created_at) - 86_400_000).toISOString());
      if ((openCount(db).get(row.tenant_id, row.created_at) as { n: number }).n >= MAX_OPEN_CODES_PER_TENANT) return false;
      insert(db).run(row);
      return true;
    })
    .immediate();
}

/** Marks the code used and returns it, atomically; undefined when unknown, used or expired. */
export function claimEnrolment(db: Db, codeHash: string, nowIso: string): EnrolmentRow | undefined {
  return claim(db).get(nowIso, codeHash, nowIso) as EnrolmentRow | undefined;
}

/** The row of a code, whatever its state (to say why a claim failed). */
export function findEnrolment(db: Db, codeHash: string): EnrolmentRow | undefined {
  return byHash(db).get(codeHash) as EnrolmentRow | undefined;
}
