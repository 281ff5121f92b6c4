// The PostgreSQL bridge's thread (ADR 0028): holds one pg connection per Db handle of the main thread
// and runs each statement the main thread sends, while the main thread waits synchronously (synckit).
// A connection that broke is dropped; the next statement outside a transaction opens a new one.
import pg from 'pg';
import { runAsWorker } from 'synckit';

// Same JS shapes as SQLite: 64-bit integers and numerics as numbers (µ$ amounts fit in 2^53).
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

/** @type {Map<number, { url: string, settings: Array<[string, string]>, client: pg.Client | null, broken: boolean }>} */
const conns = new Map();
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
]);

function isConnectionError(e) {
  if (!e) return false;
  if (CONNECTION_CODES.has(e.code)) return true;
  if (typeof e.code === 'string' && e.code.startsWith('08')) return true;
  return /Connection terminated|connection is not open|Client has encountered a connection error|not queryable/i.test(String(e.message));
}

function fail(e, unavailable) {
  const err = new Error(e?.message ?? String(e));
  err.pgCode = e?.code ?? null;
  err.unavailable = unavailable;
  err.detail = e?.detail ?? null;
  err.position = e?.position ?? null;
  throw err;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Connect; while the server refuses or is unreachable, retry with backoff for up to waitMs. */
async function connect(c, waitMs = 0) {
  const deadline = Date.now() + waitMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    const client = new pg.Client({
      connectionString: c.url,
      connectionTimeoutMillis: 5000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      fallback_application_name: 'maestro',
    });
    client.on('error', () => {
      c.broken = true;
    });
    try {
      await client.connect();
      await applySettings(client, c.settings);
      c.client = client;
      c.broken = false;
      return client;
    } catch (e) {
      client.end().catch(() => {});
      if (!isConnectionError(e) || Date.now() + delay > deadline) fail(e, isConnectionError(e));
      await sleep(delay);
    }
  }
}

/**
 * The session's server-side settings (ADR 0040), in one round trip; a server that does not know one of
 * them (an older release) gets the others one by one, and keeps its own value for the unknown one.
 */
async function applySettings(client, settings) {
  if (!settings?.length) return;
  const calls = settings.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, false)`).join(', ');
  try {
    await client.query(`select ${calls}`, settings.flat());
  } catch (e) {
    if (isConnectionError(e)) throw e;
    for (const [name, value] of settings) {
      try {
        await client.query('select set_config($1, $2, false)', [name, value]);
      } catch (e2) {
        if (isConnectionError(e2)) throw e2;
      }
    }
  }
}

runAsWorker(async (op) => {
  if (op.kind === 'open') {
    const c = { url: op.url, settings: op.settings ?? [], client: null, broken: false };
    conns.set(op.id, c);
    await connect(c);
    return { ok: true };
  }
  const c = conns.get(op.id);
  if (!c) fail(new Error('the database handle is closed'), false);
  if (op.kind === 'close') {
    conns.delete(op.id);
    if (c.client) await c.client.end().catch(() => {});
    return { ok: true };
  }
  if (c.broken || !c.client) {
    if (c.client) c.client.end().catch(() => {});
    c.client = null;
    // Inside a transaction the work so far is gone with the old connection: never continue on a new one.
    if (op.inTx && !/^\s*rollback/i.test(op.text)) fail(new Error('the connection to PostgreSQL was lost inside a transaction'), true);
    await connect(c, op.waitMs ?? 0);
    if (/^\s*rollback/i.test(op.text)) return { rows: [], rowCount: 0, fields: [] };
  }
  try {
    const r = await c.client.query({ text: op.text, values: op.values });
    const res = Array.isArray(r) ? r[r.length - 1] : r;
    return { rows: res?.rows ?? [], rowCount: res?.rowCount ?? 0, fields: (res?.fields ?? []).map((f) => f.name) };
  } catch (e) {
    const unavailable = isConnectionError(e);
    if (unavailable) c.broken = true;
    fail(e, unavailable);
  }
});
