/**
 * Opening the store: the embedded SQLite (WAL, foreign keys, a busy timeout) or PostgreSQL (ADR 0028),
 * with versioned migrations applied on open. Each migration runs in its own transaction, so a failed
 * one leaves the previous schema intact. `Db` is the subset of better-sqlite3 the engine uses; the
 * PostgreSQL handle (src/store/pg/) implements the same surface.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { StoreError } from './errors.js';
import { MIGRATE_LOCK, openPgDb, PgDb } from './pg/pg-db.js';
import { sqlite } from './sqlite-driver.js';

export { StoreError } from './errors.js';

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

/** A prepared statement: the better-sqlite3 calls the engine makes. */
export interface Statement {
  run(...params: unknown[]): RunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  pluck(toggle?: boolean): this;
}

/** A transaction function, callable as is (deferred) or as an IMMEDIATE (write-locking) transaction. */
// biome-ignore lint/suspicious/noExplicitAny: the same bound as better-sqlite3's, so its Database satisfies Db unchanged
export type TxFn = (...args: any[]) => unknown;
type ArgsOf<F> = F extends (...args: infer A) => unknown ? A : never;
export type Transaction<F extends TxFn> = ((...args: ArgsOf<F>) => ReturnType<F>) & {
  deferred(...args: ArgsOf<F>): ReturnType<F>;
  immediate(...args: ArgsOf<F>): ReturnType<F>;
  exclusive(...args: ArgsOf<F>): ReturnType<F>;
};

/** The store handle: exactly the subset of better-sqlite3's Database the engine uses. */
export interface Db {
  prepare(source: string): Statement;
  exec(source: string): this;
  transaction<F extends TxFn>(fn: F): Transaction<F>;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  close(): this;
  readonly inTransaction: boolean;
  readonly open: boolean;
  readonly name: string;
}

export type Dialect = 'sqlite' | 'postgres';

/** Which SQL dialect a handle speaks. */
export function dialectOf(db: Db): Dialect {
  return db instanceof PgDb ? 'postgres' : 'sqlite';
}

/** True for a postgres:// or postgresql:// URL. */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
/** The PostgreSQL migrations: same versions and names as the SQLite ones, one history. */
export const PG_MIGRATIONS_DIR = join(MIGRATIONS_DIR, 'pg');

/** Migrations shipped with the engine, ordered by version (files named NNN-name.sql). */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => /^\d{3}-[a-z0-9-]+\.sql$/.test(f))
    .sort();
  const seen = new Set<number>();
  return files.map((file) => {
    const version = Number(file.slice(0, 3));
    if (seen.has(version)) throw new StoreError('MIGRATION_DUPLICATE', `two migrations share version ${version} (${file})`);
    seen.add(version);
    return { version, name: file.slice(4, -4), sql: readFileSync(join(dir, file), 'utf8') };
  });
}

export interface OpenOptions {
  /** PostgreSQL only: how long a statement waits for a lost server to come back (ms, default 0). */
  reconnectMs?: number;
  /** PostgreSQL only: the server ends a session idle in a transaction this long (ms; 0: never; ADR 0040). */
  idleTxTimeoutMs?: number;
}

/**
 * Open (creating if needed) the database at `path` and bring its schema up to date.
 * @example
 *   const db = openDb(join(home, 'maestro.db'));
 */
export function openDb(path: string, migrations?: Migration[], opts: OpenOptions = {}): Db {
  if (isPostgresUrl(path)) return openPostgres(path, migrations ?? loadMigrations(PG_MIGRATIONS_DIR), opts);
  const Sqlite = sqlite(); // better-sqlite3 12 or 13 by Node major (ADR 0034)
  let db: Database.Database;
  try {
    db = new Sqlite(path);
  } catch (cause) {
    throw new StoreError('STORE_OPEN_FAILED', `cannot open the database at ${path}: ${(cause as Error).message}`, {
      cause,
      hint: 'check that MAESTRO_HOME points at a writable directory',
    });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 10000');
  migrate(db, migrations ?? loadMigrations());
  cacheStatements(db);
  return db;
}

/** How many prepared statements a SQLite handle keeps (the engine has about 200 distinct ones). */
export const STATEMENT_CACHE_SIZE = 512;

/**
 * Makes `db.prepare` reuse the statement compiled for the same SQL text: the store's functions prepare
 * their SQL on each call, and compiling it again was about 3% of a busy server's main thread. Bounded
 * (least recently used goes first). A statement handed out again has its pluck mode reset, so a
 * caller's `.pluck()` never leaks to the next caller; one that is still iterating is not handed out.
 */
function cacheStatements(db: Database.Database): void {
  const compile = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((source: string) => {
    const hit = cache.get(source);
    if (hit && !hit.busy) {
      cache.delete(source);
      cache.set(source, hit);
      if (hit.reader) hit.pluck(false);
      return hit;
    }
    const stmt = compile(source);
    if (hit) return stmt;
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(source, stmt);
    return stmt;
  }) as typeof db.prepare;
}

/** Open a PostgreSQL store and migrate it under a session advisory lock (concurrent first opens serialise). */
function openPostgres(url: string, migrations: Migration[], opts: OpenOptions): Db {
  const db = openPgDb(url, opts);
  try {
    db.query('select pg_advisory_lock($1)', [MIGRATE_LOCK]);
    try {
      migrate(db, migrations);
    } finally {
      db.query('select pg_advisory_unlock($1)', [MIGRATE_LOCK]);
    }
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** The schema version recorded in the database (0 when none). */
export function schemaVersion(db: Db): number {
  const row = (
    dialectOf(db) === 'postgres'
      ? db.prepare("select count(*) as n from information_schema.tables where table_schema = current_schema() and table_name = 'schema_migrations'").get()
      : db.prepare("select count(*) as n from sqlite_master where type = 'table' and name = 'schema_migrations'").get()
  ) as { n: number };
  if (row.n === 0) return 0;
  const v = db.prepare('select max(version) as v from schema_migrations').get() as { v: number | null };
  return v.v ?? 0;
}

/** Apply every migration newer than the database's version, each atomically. Returns versions applied. */
export function migrate(db: Db, migrations: Migration[]): number[] {
  db.exec(`create table if not exists schema_migrations (
    version integer primary key,
    name text not null,
    applied_at text not null
  )`);
  const current = schemaVersion(db);
  const newest = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  if (current > newest) {
    throw new StoreError('SCHEMA_TOO_NEW', `the database schema is version ${current}, newer than this maestro knows (${newest})`, {
      hint: 'upgrade maestro, or point MAESTRO_HOME at another state home',
    });
  }
  const isApplied = db.prepare('select 1 from schema_migrations where version = ?');
  const applied: number[] = [];
  for (const m of migrations) {
    // Set-based: any version not yet recorded is applied, so a migration numbered below the newest
    // applied one (merged later) still runs.
    if (isApplied.get(m.version)) continue;
    const run = db.transaction(() => {
      if (isApplied.get(m.version)) return false; // another process applied it first
      db.exec(m.sql);
      db.prepare('insert into schema_migrations (version, name, applied_at) values (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
      return true;
    });
    try {
      // Serialise concurrent first opens: the immediate transaction takes the write lock before reading.
      if (!run.immediate()) continue;
    } catch (cause) {
      throw new StoreError(
        'MIGRATION_FAILED',
        `migration ${m.version} (${m.name}) failed: ${(cause as Error).message}; the schema stays at version ${schemaVersion(db)}`,
        { cause },
      );
    }
    applied.push(m.version);
  }
  return applied;
}

/**
 * Prepare a module's statements once per database handle.
 * @example const stmts = preparedOnce((db) => ({ get: db.prepare('select 1') })); stmts(db).get.get();
 */
export function preparedOnce<T>(prepare: (db: Db) => T): (db: Db) => T {
  const cache = new WeakMap<Db, T>();
  return (db) => {
    let s = cache.get(db);
    if (!s) {
      s = prepare(db);
      cache.set(db, s);
    }
    return s;
  };
}
