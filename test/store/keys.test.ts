/** The trusted-keys table (migration 010) on a real SQLite file: enrol is idempotent, revocation sticks. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../src/store/index.js';
import { enrolTrustedKey, findTrustedKey, listTrustedKeys, revokeTrustedKey } from '../../src/store/keys.js';

let dir: string;
let db: Db;
const key = (id: string, owner = 'worker:w1') => ({ id, pem: `PEM ${id}`, algorithm: 'ecdsa-p256-sha256', owner, at: '2026-11-28T10:00:00.000Z' });
const ID_A = 'a'.repeat(64);
const ID_B = `${'a'.repeat(8)}${'b'.repeat(56)}`;

function open(): Db {
  dir = mkdtempSync(join(tmpdir(), 'mh-keys-store-'));
  db = openDb(join(dir, 'maestro.db'));
  return db;
}
afterEach(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('trusted keys store', () => {
  it('enrols once: a second enrolment (another owner, another time) changes nothing', () => {
    open();
    expect(enrolTrustedKey(db, key(ID_A))).toBe(true);
    expect(enrolTrustedKey(db, { ...key(ID_A, 'worker:w2'), at: '2026-11-29T00:00:00.000Z' })).toBe(false);
    expect(listTrustedKeys(db)).toEqual([
      expect.objectContaining({ key_id: ID_A, owner: 'worker:w1', enrolled_at: '2026-11-28T10:00:00.000Z', revoked_at: null }),
    ]);
  });

  it('revokes once (the first time and reason stand) and enrolling a revoked key again does not restore it', () => {
    open();
    enrolTrustedKey(db, key(ID_A));
    expect(revokeTrustedKey(db, ID_A, { at: '2026-11-28T11:00:00.000Z', reason: 'lost', by: 'admin' })).toBe(true);
    expect(revokeTrustedKey(db, ID_A, { at: '2026-11-28T12:00:00.000Z', reason: 'again', by: 'admin' })).toBe(false);
    expect(enrolTrustedKey(db, key(ID_A))).toBe(false);
    expect(findTrustedKey(db, ID_A).row).toMatchObject({ revoked_at: '2026-11-28T11:00:00.000Z', revoked_reason: 'lost', revoked_by: 'admin' });
    expect(revokeTrustedKey(db, 'f'.repeat(64), { at: 'x', reason: 'r', by: 'a' })).toBe(false);
  });

  it('finds by full id or unique prefix of 8+ hex characters; an ambiguous or short prefix finds none', () => {
    open();
    enrolTrustedKey(db, key(ID_A));
    enrolTrustedKey(db, key(ID_B));
    expect(findTrustedKey(db, ID_B).row?.key_id).toBe(ID_B);
    expect(findTrustedKey(db, 'aaaaaaaab').row?.key_id).toBe(ID_B);
    expect(findTrustedKey(db, 'aaaaaaaa')).toEqual({ ambiguous: true });
    expect(findTrustedKey(db, 'aaaa')).toEqual({ ambiguous: false });
    expect(findTrustedKey(db, "aaaaaaaa' or 1=1 --")).toEqual({ ambiguous: false });
  });
});
