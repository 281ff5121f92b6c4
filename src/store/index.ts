/**
 * The store room's front door: open the state database for a Context. All SQL lives in this folder.
 * @example
 *   const store = openStore(ctx); const t = store.db.prepare('select 1').get(); store.close();
 */
import { join } from 'node:path';
import type { Context } from '../core/context.js';
import { ensureDir } from '../core/context.js';
import { type Db, openDb } from './db.js';

export { type Db, loadMigrations, type Migration, migrate, openDb, StoreError, schemaVersion } from './db.js';

export interface Store {
  readonly db: Db;
  readonly path: string;
  close(): void;
}

/** Path of the database file inside a state home. */
export function dbPath(home: string): string {
  return join(home, 'maestro.db');
}

/** Open the state database in ctx.home (created with mode 0700 if missing). */
export function openStore(ctx: Pick<Context, 'home'>): Store {
  ensureDir(ctx.home);
  const path = dbPath(ctx.home);
  const db = openDb(path);
  return { db, path, close: () => db.close() };
}
export { claimEnrolment, type EnrolmentRow, findEnrolment, insertEnrolment, MAX_OPEN_CODES_PER_TENANT } from './enrolment.js';
export { checkDatabase, type DbHealth } from './integrity.js';
export { checkDatabaseFile, type DbFacts, snapshotDatabase } from './snapshot.js';
