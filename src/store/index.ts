/**
 * The store room's front door: open the state database for a Context. All SQL lives in this folder.
 * @example
 *   const store = openStore(ctx); const t = store.db.prepare('select 1').get(); store.close();
 */
import { join } from 'node:path';
import type { Context } from '../core/context.js';
import { ensureDir } from '../core/context.js';
import { type Db, isPostgresUrl, type OpenOptions, openDb, StoreError } from './db.js';
import { idleTxTimeoutFor, redactUrl } from './pg/pg-db.js';

export { type Db, type Dialect, dialectOf, isPostgresUrl, loadMigrations, type Migration, migrate, openDb, StoreError, schemaVersion } from './db.js';
export { redactUrl } from './pg/pg-db.js';

export interface Store {
  readonly db: Db;
  readonly path: string;
  close(): void;
}

/** Path of the database file inside a state home. */
export function dbPath(home: string): string {
  return join(home, 'maestro.db');
}

/** The PostgreSQL URL a context selects: ctx.databaseUrl, else $MAESTRO_DATABASE_URL; undefined for SQLite. */
export function databaseUrlOf(ctx: Partial<Pick<Context, 'databaseUrl' | 'env'>>): string | undefined {
  const url = ctx.databaseUrl ?? ctx.env?.MAESTRO_DATABASE_URL;
  if (url === undefined || url.trim() === '') return undefined;
  if (!isPostgresUrl(url.trim())) {
    throw new StoreError('BAD_DATABASE_URL', `the database URL must start with postgres:// or postgresql:// (got "${url.split('@').pop()?.slice(0, 40)}")`, {
      kind: 'usage',
      hint: 'set MAESTRO_DATABASE_URL (or --database-url) to postgres://user@host:5432/db, or unset it to use the embedded SQLite',
    });
  }
  return url.trim();
}

/**
 * Refuse an operation that works on the SQLite file (backup, restore) when the store is PostgreSQL.
 * @example requireSqliteStore(ctx, 'maestro backup');
 */
export function requireSqliteStore(ctx: Partial<Pick<Context, 'databaseUrl' | 'env'>>, what: string): void {
  const url = databaseUrlOf(ctx);
  if (!url) return;
  throw new StoreError('STORE_SQLITE_ONLY', `${what} copies the embedded SQLite database, but this store is PostgreSQL (${redactUrl(url)})`, {
    kind: 'usage',
    hint: 'back PostgreSQL up with its own tools: pg_dump -Fc -f maestro.dump "$MAESTRO_DATABASE_URL" (restore: pg_restore -d <url> maestro.dump); unset MAESTRO_DATABASE_URL to work on the SQLite state home',
  });
}

/**
 * Open the state database: PostgreSQL when ctx.databaseUrl or $MAESTRO_DATABASE_URL names one (ADR 0028),
 * else the SQLite file in ctx.home (created with mode 0700 if missing).
 * @example
 *   const store = openStore(ctx); const t = store.db.prepare('select 1').get(); store.close();
 */
export function openStore(ctx: Pick<Context, 'home'> & Partial<Pick<Context, 'databaseUrl' | 'env'>>, opts: OpenOptions = {}): Store {
  ensureDir(ctx.home);
  const url = databaseUrlOf(ctx);
  if (url) {
    const fromEnv = Number(ctx.env?.MAESTRO_DB_RECONNECT_MS);
    const db = openDb(url, undefined, {
      reconnectMs: Number.isFinite(fromEnv) && fromEnv >= 0 && ctx.env?.MAESTRO_DB_RECONNECT_MS ? fromEnv : opts.reconnectMs,
      idleTxTimeoutMs: ctx.env?.MAESTRO_PG_IDLE_TX_TIMEOUT_MS ? idleTxTimeoutFor(ctx.env) : (opts.idleTxTimeoutMs ?? idleTxTimeoutFor(ctx.env)),
    });
    return { db, path: redactUrl(url), close: () => db.close() };
  }
  const path = dbPath(ctx.home);
  const db = openDb(path);
  return { db, path, close: () => db.close() };
}
export { claimEnrolment, type EnrolmentRow, findEnrolment, insertEnrolment, MAX_OPEN_CODES_PER_TENANT } from './enrolment.js';
export { checkDatabase, type DbHealth } from './integrity.js';
export { checkDatabaseFile, type DbFacts, snapshotDatabase } from './snapshot.js';
