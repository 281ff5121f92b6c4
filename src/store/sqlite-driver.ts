/**
 * Which better-sqlite3 runs the SQLite store, chosen once per process by the Node major (ADR 0034).
 *
 * better-sqlite3 12 (the last line that supports Node 20) wraps its objects in `node::ObjectWrap`; on
 * Node 24 that wrapper's destructor looks up the Node environment from the isolate's current
 * context, and when the garbage collector frees a Statement with none entered the process aborts
 * (`Assertion failed: (env) != nullptr`, exit 134). better-sqlite3 13 uses Node-API instead (an ABI
 * that does not change between Node majors, so its prebuilt addon ships inside the npm package), but
 * it needs Node >= 22 and crashes on Node 20. So: 12 on Node 20 and 21, 13 (installed as the npm
 * alias `better-sqlite3-13`) on Node 22 and later. Node 22 and 23 fall back to 12 when the alias is
 * missing (12 works there); Node 24 and later refuse to, since 12 aborts at random on them.
 *
 * Every other module opens databases through `sqlite()`, never by importing better-sqlite3 itself
 * (a test checks this).
 */

import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { EngineError } from '../core/errors.js';

/** The better-sqlite3 constructor (both lines share this API). */
export type SqliteConstructor = typeof BetterSqlite3;

/** npm names of the two drivers: better-sqlite3 12 and the alias of better-sqlite3 13. */
export const SQLITE_12 = 'better-sqlite3';
export const SQLITE_13 = 'better-sqlite3-13';
/** From this Node major on, better-sqlite3 13 is preferred. */
export const SQLITE_13_FROM_MAJOR = 22;
/** From this Node major on, better-sqlite3 12 is never loaded (it aborts the process at random). */
export const SQLITE_12_UNSAFE_FROM_MAJOR = 24;

export class SqliteDriverError extends EngineError {}

/** The packages to try, in order, on Node `version` (e.g. "24.11.0"). */
export function sqliteCandidates(version: string = process.versions.node): string[] {
  const major = Number(version.split('.')[0]);
  if (!Number.isInteger(major) || major < SQLITE_13_FROM_MAJOR) return [SQLITE_12];
  if (major >= SQLITE_12_UNSAFE_FROM_MAJOR) return [SQLITE_13];
  return [SQLITE_13, SQLITE_12];
}

export interface SqliteDriver {
  /** npm name the driver was loaded from: "better-sqlite3" or "better-sqlite3-13". */
  package: string;
  /** better-sqlite3's own version, e.g. "13.2.0". */
  version: string;
  Database: SqliteConstructor;
}

const requireCjs = createRequire(import.meta.url);

/**
 * Load the first of `candidates` that is installed. Throws SQLITE_DRIVER_MISSING (naming the Node
 * version and the install command) when none is.
 */
export function loadSqliteDriver(candidates: string[] = sqliteCandidates(), node: string = process.versions.node): SqliteDriver {
  for (const name of candidates) {
    let Database: SqliteConstructor;
    try {
      Database = requireCjs(name) as SqliteConstructor;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      // Only "not installed" moves on to the next candidate; a package that is there but fails to
      // load (a broken addon) is reported as it is.
      if (e.code === 'MODULE_NOT_FOUND' && e.message.includes(`'${name}'`)) continue;
      throw new SqliteDriverError('SQLITE_DRIVER_LOAD_FAILED', `cannot load ${name} on Node ${node}: ${e.message}`, {
        cause: err,
        hint: 'reinstall maestro (npm i -g) with this Node version',
      });
    }
    const version = (requireCjs(`${name}/package.json`) as { version: string }).version;
    return { package: name, version, Database };
  }
  throw new SqliteDriverError('SQLITE_DRIVER_MISSING', `none of ${candidates.join(', ')} is installed, and Node ${node} needs one to open the state database`, {
    hint:
      candidates[0] === SQLITE_13
        ? `reinstall maestro with its dependencies (npm i -g), or: npm i ${SQLITE_13}@npm:better-sqlite3@^13.2.0`
        : 'reinstall maestro with its dependencies (npm i -g)',
    details: { node, candidates },
  });
}

let driver: SqliteDriver | undefined;

/** The driver for this process (loaded on first use). */
export function sqliteDriver(): SqliteDriver {
  driver ??= loadSqliteDriver();
  return driver;
}

/**
 * The better-sqlite3 constructor for this Node.
 * @example const Database = sqlite(); const db = new Database(path, { readonly: true });
 */
export function sqlite(): SqliteConstructor {
  return sqliteDriver().Database;
}
