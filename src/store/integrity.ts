/** Read-only health of the state database for `maestro doctor` (never creates or migrates it). */
import type Database from 'better-sqlite3';
import { isPostgresUrl, schemaVersion } from './db.js';
import { openPgDb, redactUrl } from './pg/pg-db.js';
import { sqlite } from './sqlite-driver.js';

export interface DbHealth {
  ok: boolean;
  /** "ok", or the first problems SQLite's quick_check reported. */
  detail: string;
  schemaVersion: number | null;
}

/**
 * Opens the database read-only and runs `PRAGMA quick_check` (at most 10 messages).
 * @example checkDatabase('/home/me/.maestro/maestro.db') // { ok: true, detail: 'ok', schemaVersion: 5 }
 */
export function checkDatabase(path: string): DbHealth {
  if (isPostgresUrl(path)) return checkPostgres(path);
  let db: Database.Database | undefined;
  try {
    db = new (sqlite())(path, { readonly: true, fileMustExist: true });
    const rows = db.prepare('pragma quick_check(10)').pluck().all() as string[];
    const version = schemaVersion(db);
    const ok = rows.length === 1 && rows[0] === 'ok';
    return { ok, detail: ok ? 'ok' : rows.join('; '), schemaVersion: version };
  } catch (err) {
    return { ok: false, detail: (err as Error).message, schemaVersion: null };
  } finally {
    db?.close();
  }
}

/** PostgreSQL: no file to check; connect (never migrating) and read the schema version. */
function checkPostgres(url: string): DbHealth {
  try {
    const db = openPgDb(url);
    try {
      const version = schemaVersion(db);
      return { ok: true, detail: `connected to ${redactUrl(url)}`, schemaVersion: version };
    } finally {
      db.close();
    }
  } catch (err) {
    return { ok: false, detail: (err as Error).message, schemaVersion: null };
  }
}
