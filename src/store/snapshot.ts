/**
 * Online copies of the state database (SQLite's backup API through better-sqlite3) and integrity
 * checks of such copies. Used by the backup room; the live database keeps serving while it runs.
 */

import { existsSync } from 'node:fs';
import { StoreError } from './db.js';
import { sqlite } from './sqlite-driver.js';

export interface DbFacts {
  ok: boolean;
  /** "ok", or the first problems PRAGMA integrity_check reports. */
  integrity: string;
  schemaVersion: number;
  executions: number;
}

/**
 * Copy the database at `source` to `dest` page by page while it stays in use (WAL readers and writers
 * continue), then check the copy.
 * @example const facts = await snapshotDatabase(join(home, 'maestro.db'), '/tmp/snap.db');
 */
export async function snapshotDatabase(source: string, dest: string): Promise<DbFacts> {
  if (!existsSync(source))
    throw new StoreError('STORE_MISSING', `no state database at ${source}`, { kind: 'not_found', hint: 'is MAESTRO_HOME the state home to back up?' });
  const db = new (sqlite())(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    await db.backup(dest);
  } finally {
    db.close();
  }
  return checkDatabaseFile(dest);
}

/** PRAGMA integrity_check, schema version and execution count of a database file (opened read-only). */
export function checkDatabaseFile(path: string): DbFacts {
  const db = new (sqlite())(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    const integrity = rows
      .map((r) => r.integrity_check)
      .slice(0, 5)
      .join('; ');
    const has = (t: string) => (db.prepare("select count(*) as n from sqlite_master where type = 'table' and name = ?").get(t) as { n: number }).n > 0;
    const schemaVersion = has('schema_migrations') ? ((db.prepare('select max(version) as v from schema_migrations').get() as { v: number | null }).v ?? 0) : 0;
    const executions = has('executions') ? (db.prepare('select count(*) as n from executions').get() as { n: number }).n : 0;
    return { ok: integrity === 'ok', integrity, schemaVersion, executions };
  } finally {
    db.close();
  }
}
