/**
 * The PostgreSQL Db (ADR 0028): the same synchronous surface as better-sqlite3, each statement run by
 * node-postgres on a bridge thread (synckit) over one dedicated connection per handle.
 * `transaction(fn).immediate()` also takes a cluster-wide advisory lock, so the write transactions that
 * relied on SQLite's single writer (admission, spend ledger) stay serialised across hosts.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSyncFn } from 'synckit';
import type { Db, RunResult, Statement, Transaction, TxFn } from '../db.js';
import { StoreError } from '../errors.js';
import { bindValues, type PgSql, toPgSql } from './sql.js';

/** The advisory lock key of IMMEDIATE transactions ("maes" in ASCII). */
export const WRITER_LOCK = 0x6d616573;
/** The advisory lock key held while migrating. */
export const MIGRATE_LOCK = 0x6d616574;

type Op =
  | { kind: 'open'; id: number; url: string; settings: Array<[string, string]> }
  | { kind: 'close'; id: number }
  | { kind: 'query'; id: number; text: string; values: unknown[]; inTx: boolean; waitMs: number };
interface QueryResult {
  rows: Array<Record<string, unknown>>;
  rowCount: number;
  fields: string[];
}

let bridge: ((op: Op) => QueryResult) | undefined;
let nextId = 1;

function bridgeScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const local = join(here, 'bridge-worker.mjs');
  if (existsSync(local)) return local;
  throw new StoreError('STORE_BRIDGE_MISSING', `cannot find the PostgreSQL bridge script at ${local}`, {
    hint: 'run npm run build (it copies src/store/pg/bridge-worker.mjs)',
  });
}

function call(op: Op): QueryResult {
  bridge ??= createSyncFn(bridgeScript(), { timeout: 10 * 60_000 }) as (op: Op) => QueryResult;
  return bridge(op);
}

/**
 * How long the server lets one of our sessions sit idle inside a transaction before ending it, ms
 * ($MAESTRO_PG_IDLE_TX_TIMEOUT_MS; 0 turns it off). maestro's transactions never wait on anything but
 * their own statements, so an idle one is a client that is gone: a host lost (power, network) while
 * it held a row lock or the writer lock would otherwise stall every host's writes until TCP gave up,
 * hours later (ADR 0040).
 */
export const DEFAULT_IDLE_TX_TIMEOUT_MS = 10_000;

/**
 * The idle-in-transaction timeout for this environment: $MAESTRO_PG_IDLE_TX_TIMEOUT_MS when set (0
 * turns it off), else 10 s, or a third of a shorter $MAESTRO_LEASE_MS (at least 1 s). A lost host's
 * locks must be gone well before the live hosts' leases, which they may be waiting to renew, expire.
 * @example idleTxTimeoutFor({ MAESTRO_LEASE_MS: '4000' }) // 1333
 */
export function idleTxTimeoutFor(env: Readonly<Record<string, string | undefined>> = {}): number {
  const own = env.MAESTRO_PG_IDLE_TX_TIMEOUT_MS;
  if (own !== undefined && own !== '' && Number.isFinite(Number(own)) && Number(own) >= 0) return Math.floor(Number(own));
  const lease = Number(env.MAESTRO_LEASE_MS);
  if (env.MAESTRO_LEASE_MS && Number.isFinite(lease) && lease >= 500) return Math.min(DEFAULT_IDLE_TX_TIMEOUT_MS, Math.max(1000, Math.floor(lease / 3)));
  return DEFAULT_IDLE_TX_TIMEOUT_MS;
}

/**
 * The server-side session settings of every maestro connection (ADR 0040): the idle-in-transaction
 * timeout, and TCP keepalives and a user timeout so the server notices a silent peer within about
 * 30 s instead of the kernel's two hours. A setting the URL already names (in its `options`) is left
 * to the URL.
 * @example sessionSettings('postgres://db/maestro') // [['idle_in_transaction_session_timeout', '10000'], ...]
 */
export function sessionSettings(url: string, idleTxTimeoutMs = DEFAULT_IDLE_TX_TIMEOUT_MS): Array<[string, string]> {
  const wanted: Array<[string, string]> = [
    ['idle_in_transaction_session_timeout', String(Math.max(0, Math.floor(idleTxTimeoutMs)))],
    ['tcp_keepalives_idle', '10'],
    ['tcp_keepalives_interval', '5'],
    ['tcp_keepalives_count', '3'],
    ['tcp_user_timeout', '30000'],
  ];
  let named = '';
  try {
    named = decodeURIComponent(url);
  } catch {
    named = url;
  }
  return wanted.filter(([name]) => !named.includes(name));
}

/** A URL with its password masked, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable database URL>';
  }
}

interface BridgeError {
  message: string;
  pgCode?: string | null;
  unavailable?: boolean;
}

function translate(cause: unknown, url: string, sql?: string): Error {
  const e = cause as BridgeError;
  const message = String(e?.message ?? cause).replaceAll(url, redactUrl(url));
  if (e?.unavailable) {
    return new StoreError('STORE_UNAVAILABLE', `PostgreSQL at ${redactUrl(url)} is unavailable: ${message}`, {
      cause,
      hint: 'check that the server is running and reachable; maestro reconnects on the next statement',
    });
  }
  if (e?.pgCode === '28P01' || e?.pgCode === '28000') {
    return new StoreError('STORE_AUTH_FAILED', `PostgreSQL at ${redactUrl(url)} refused the login: ${message}`, {
      cause,
      hint: 'check the user and password in MAESTRO_DATABASE_URL (or --database-url) and pg_hba.conf',
    });
  }
  if (e?.pgCode === '3D000') {
    return new StoreError('STORE_OPEN_FAILED', `PostgreSQL at ${redactUrl(url)}: ${message}`, { cause, hint: 'create the database first (createdb NAME)' });
  }
  const err = new StoreError('STORE_QUERY_FAILED', sql ? `${message} (in: ${sql.slice(0, 200)})` : message, { cause });
  (err as StoreError & { pgCode?: string }).pgCode = e?.pgCode ?? undefined;
  return err;
}

class PgStatement implements Statement {
  private readonly sql: PgSql;
  private plucked = false;
  constructor(
    private readonly db: PgDb,
    private readonly source: string,
  ) {
    this.sql = toPgSql(source);
  }
  private exec(params: unknown[]): QueryResult {
    return this.db.query(this.sql.text, bindValues(this.sql, params), this.source);
  }
  run(...params: unknown[]): RunResult {
    const r = this.exec(params);
    return { changes: r.rowCount, lastInsertRowid: 0 };
  }
  get(...params: unknown[]): unknown {
    const r = this.exec(params);
    const row = r.rows[0];
    if (!row) return undefined;
    return this.plucked ? row[r.fields[0]!] : row;
  }
  all(...params: unknown[]): unknown[] {
    const r = this.exec(params);
    if (!this.plucked) return r.rows;
    const f = r.fields[0]!;
    return r.rows.map((row) => row[f]);
  }
  pluck(toggle = true): this {
    this.plucked = toggle;
    return this;
  }
}

/** A Db over PostgreSQL. */
export class PgDb implements Db {
  readonly dialect = 'postgres' as const;
  readonly name: string;
  private readonly id = nextId++;
  private depth = 0;
  private isOpen = true;

  /**
   * @param reconnectMs how long a statement waits for a lost server to come back before failing with
   *   STORE_UNAVAILABLE (the connection is re-opened on the next statement; 0: fail at once).
   * @param idleTxTimeoutMs the server ends a session of this handle idle in a transaction this long (0: never).
   */
  constructor(
    private readonly url: string,
    private readonly reconnectMs = 0,
    idleTxTimeoutMs = DEFAULT_IDLE_TX_TIMEOUT_MS,
  ) {
    this.name = redactUrl(url);
    try {
      call({ kind: 'open', id: this.id, url, settings: sessionSettings(url, idleTxTimeoutMs) });
    } catch (cause) {
      const e = translate(cause, url);
      if ((e as StoreError).code === 'STORE_UNAVAILABLE') {
        throw new StoreError('STORE_OPEN_FAILED', `cannot connect to PostgreSQL at ${this.name}: ${(cause as Error).message}`, {
          cause,
          hint: 'check MAESTRO_DATABASE_URL (or --database-url): host, port, and that the server is running',
        });
      }
      throw e;
    }
  }

  /** The URL with its password (for a LISTEN connection of this process; never printed). */
  get connectionUrl(): string {
    return this.url;
  }

  get open(): boolean {
    return this.isOpen;
  }
  get inTransaction(): boolean {
    return this.depth > 0;
  }

  /** One statement (internal; store modules use prepare). */
  query(text: string, values: unknown[] = [], source = text): QueryResult {
    if (!this.isOpen) throw new StoreError('STORE_CLOSED', 'the database handle is closed');
    try {
      return call({ kind: 'query', id: this.id, text, values, inTx: this.depth > 0, waitMs: this.reconnectMs });
    } catch (cause) {
      throw translate(cause, this.url, source);
    }
  }

  prepare(source: string): Statement {
    return new PgStatement(this, source);
  }

  exec(source: string): this {
    this.query(source);
    return this;
  }

  pragma(source: string): unknown {
    throw new StoreError('STORE_SQLITE_ONLY', `pragma ${source} is SQLite-only; this store is PostgreSQL`);
  }

  transaction<F extends TxFn>(fn: F): Transaction<F> {
    const wrap = (lock: boolean) =>
      ((...args: unknown[]) => {
        const top = this.depth === 0;
        const sp = `maestro_sp_${this.depth}`;
        this.query(top ? 'begin' : `savepoint ${sp}`);
        this.depth++;
        let result: ReturnType<F>;
        try {
          if (lock) this.query('select pg_advisory_xact_lock($1)', [WRITER_LOCK]);
          result = fn(...args) as ReturnType<F>;
        } catch (err) {
          this.depth--;
          try {
            this.query(top ? 'rollback' : `rollback to savepoint ${sp}`);
            if (!top) this.query(`release savepoint ${sp}`);
          } catch {
            // the connection is gone: the server rolled the transaction back
          }
          throw err;
        }
        this.depth--;
        this.query(top ? 'commit' : `release savepoint ${sp}`);
        return result;
      }) as (...args: unknown[]) => ReturnType<F>;
    const deferred = wrap(false);
    const immediate = wrap(true);
    return Object.assign(deferred, { deferred, immediate, exclusive: immediate }) as unknown as Transaction<F>;
  }

  close(): this {
    if (!this.isOpen) return this;
    this.isOpen = false;
    try {
      call({ kind: 'close', id: this.id });
    } catch {
      // closing a broken connection
    }
    return this;
  }
}

/**
 * Open a PostgreSQL store handle (no migrations: see openDb in db.ts).
 * @example const db = openPgDb('postgres://maestro@db.internal/maestro');
 */
export function openPgDb(url: string, opts: { reconnectMs?: number; idleTxTimeoutMs?: number } = {}): PgDb {
  return new PgDb(url, opts.reconnectMs ?? 0, opts.idleTxTimeoutMs ?? DEFAULT_IDLE_TX_TIMEOUT_MS);
}
