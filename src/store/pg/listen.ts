/**
 * The pools' wake-up on PostgreSQL (ADR 0028): one async connection per process LISTENs on the queue
 * channel and calls `onWake` on every notification, and once after each (re)connect to catch up on
 * anything published while it was away. A lost connection is re-opened with backoff (1 s .. 10 s).
 */
import pg from 'pg';
import type { Db } from '../db.js';
import { PgDb, sessionSettings } from './pg-db.js';

export interface QueueListener {
  /** True while the LISTEN connection is up. */
  readonly listening: boolean;
  /** Notifications received (a test reads it). */
  readonly notifications: number;
  close(): Promise<void>;
}

/**
 * LISTEN on `channel` with the handle's connection settings; null on SQLite (nothing to listen to).
 * @example const l = listenQueue(store.db, 'maestro_queue', () => pool.wake()); await l?.close();
 */
export function listenQueue(db: Db, channel: string, onWake: () => void): QueueListener | null {
  if (!(db instanceof PgDb)) return null;
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new RangeError(`bad channel name ${channel}`);
  const url = db.connectionUrl;
  let client: pg.Client | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let delay = 1000;
  const state = { listening: false, notifications: 0 };
  const retry = (): void => {
    state.listening = false;
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delay);
    timer.unref();
    delay = Math.min(delay * 2, 10_000);
  };
  const connect = async (): Promise<void> => {
    if (closed) return;
    const c = new pg.Client({
      connectionString: url,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: 5000,
      fallback_application_name: 'maestro',
    });
    c.on('notification', () => {
      state.notifications += 1;
      onWake();
    });
    c.on('error', () => {
      if (client === c) client = null;
      c.end().catch(() => undefined);
      retry();
    });
    try {
      await c.connect();
      // The server drops a silent listener within about 30 s (ADR 0040); it holds no locks. Best
      // effort: a server that does not know one of the settings still gets its LISTEN.
      const keep = sessionSettings(url).filter(([name]) => name.startsWith('tcp_'));
      for (const [name, value] of keep) await c.query('select set_config($1, $2, false)', [name, value]).catch(() => undefined);
      await c.query(`listen ${channel}`);
    } catch {
      c.end().catch(() => undefined);
      retry();
      return;
    }
    if (closed) {
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
    delay = 1000;
    state.listening = true;
    onWake();
  };
  void connect();
  return {
    get listening() {
      return state.listening;
    },
    get notifications() {
      return state.notifications;
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      state.listening = false;
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
