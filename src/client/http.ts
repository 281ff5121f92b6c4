/**
 * HTTP client of a remote control plane (undici): a keep-alive pool, timeouts, retries for idempotent
 * requests only, and errors rebuilt from the server's wire form so exit codes match local mode.
 */
import type { Dispatcher, Pool } from 'undici';
import { EngineError } from '../core/errors.js';
import { fromWire } from '../server/http-errors.js';

export interface ClientOptions {
  baseUrl: string;
  token?: string;
  /** Milliseconds to wait for response headers (default 30 s). */
  timeoutMs?: number;
  /** Attempts for idempotent requests (default 3). */
  attempts?: number;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const RETRY_STATUS = new Set([502, 503, 504]);

export class ControlPlaneClient {
  private pool: Pool | undefined;
  private readonly opts: Required<Omit<ClientOptions, 'token'>> & { token?: string };
  private readonly origin: string;
  private readonly prefix: string;

  constructor(opts: ClientOptions) {
    let url: URL;
    try {
      url = new URL(opts.baseUrl);
    } catch {
      throw new EngineError('BAD_REMOTE_URL', `"${opts.baseUrl}" is not a URL`, { kind: 'usage', hint: 'e.g. --remote http://127.0.0.1:8080' });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new EngineError('BAD_REMOTE_URL', `"${opts.baseUrl}" is not an http(s) URL`, { kind: 'usage' });
    }
    this.origin = url.origin;
    this.prefix = url.pathname.replace(/\/$/, '');
    this.opts = { baseUrl: opts.baseUrl, token: opts.token, timeoutMs: opts.timeoutMs ?? 30_000, attempts: opts.attempts ?? 3 };
  }

  /** The control plane's URL as given. */
  get baseUrl(): string {
    return this.opts.baseUrl;
  }

  private async getPool(): Promise<Pool> {
    if (!this.pool) {
      const { Pool } = await import('undici');
      this.pool = new Pool(this.origin, {
        connections: 8,
        keepAliveTimeout: 10_000,
        headersTimeout: this.opts.timeoutMs,
        bodyTimeout: 0,
        connectTimeout: 10_000,
      });
    }
    return this.pool;
  }

  /** Send a JSON request; returns the parsed JSON answer or throws the server's error. */
  async json<T>(method: Dispatcher.HttpMethod, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body);
    const text = await res.body.text();
    const parsed = text === '' ? undefined : safeJson(text);
    if (res.statusCode >= 400) throw this.remoteError(res.statusCode, parsed);
    return parsed as T;
  }

  /** Open a streaming response (NDJSON logs); the caller consumes `body`. */
  async stream(path: string): Promise<AsyncIterable<Buffer>> {
    const res = await this.send('GET', path, undefined, 0);
    if (res.statusCode >= 400) throw this.remoteError(res.statusCode, safeJson(await res.body.text()));
    return res.body;
  }

  /** The server's error; a 401 says how a remote user gets a token for this server. */
  private remoteError(status: number, body: unknown): EngineError {
    const err = fromWire(status, body);
    if (status !== 401) return err;
    const hint = `get a token for this server: maestro login --remote ${this.opts.baseUrl} --code <code> (an admin issues codes with: maestro tenants members invite <tenant> <subject> <role>)`;
    return new EngineError(err.code, err.message, { kind: err.kind, hint, ...(err.details ? { details: err.details } : {}) });
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }

  private async send(method: Dispatcher.HttpMethod, path: string, body?: unknown, headersTimeout?: number): Promise<Dispatcher.ResponseData> {
    const pool = await this.getPool();
    const attempts = IDEMPOTENT.has(method) ? this.opts.attempts : 1;
    let lastErr: unknown;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await sleep(Math.min(2000, 100 * 2 ** i) * (0.5 + Math.random() / 2));
      try {
        const res = await pool.request({
          method,
          path: this.prefix + path,
          headers: {
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...(this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          ...(headersTimeout !== undefined ? { headersTimeout: headersTimeout || this.opts.timeoutMs, bodyTimeout: 0 } : {}),
        });
        if (RETRY_STATUS.has(res.statusCode) && i < attempts - 1) {
          await res.body.dump();
          continue;
        }
        return res;
      } catch (err) {
        lastErr = err;
        if (!isTransient(err)) break;
      }
    }
    throw unreachable(this.opts.baseUrl, lastErr);
  }
}

function isTransient(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? '';
  return ['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'EPIPE', 'UND_ERR_HEADERS_TIMEOUT'].includes(code);
}

function unreachable(url: string, err: unknown): EngineError {
  const code = (err as { code?: string })?.code ?? '';
  const why: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
    UND_ERR_HEADERS_TIMEOUT: 'no answer in time',
    UND_ERR_SOCKET: 'connection closed',
  };
  return new EngineError('REMOTE_UNREACHABLE', `cannot reach control plane at ${url}: ${why[code] ?? (err as Error)?.message ?? 'unknown error'}`, {
    kind: 'error',
    hint: 'check --remote / MAESTRO_URL and that `maestro serve` is running',
    cause: err,
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
