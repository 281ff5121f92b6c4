/**
 * The bench's HTTP side: publish executions to `maestro serve` with bounded concurrency (honouring
 * 429 + Retry-After, a bounded number of times), and read executions and metrics back.
 */
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Published {
  id: string;
  status: string;
  reason: string | null;
  publishedAt: string;
  /** Client clock when the request was sent / answered (ms since the epoch). */
  sentAt: number;
  answeredAt: number;
  /** HTTP status of the final attempt, and how many 429s came first. */
  http: number;
  throttled: number;
  error?: string;
}

export interface ExecutionView {
  id: string;
  status: string;
  reason: string | null;
  publishedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export class Client {
  constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  private headers(json = false): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, ...(json ? { 'content-type': 'application/json' } : {}) };
  }

  async publish(manifest: string, opts: { sandbox: string; queue?: boolean }): Promise<Published> {
    const body = JSON.stringify({ manifest, name: 'scale.yaml', sandbox: opts.sandbox, ...(opts.queue ? { queue: true } : {}) });
    const sentAt = Date.now();
    let throttled = 0;
    for (let attempt = 0; attempt < 20; attempt++) {
      let res: Response;
      try {
        res = await fetch(`${this.url}/api/executions`, { method: 'POST', headers: this.headers(true), body, signal: AbortSignal.timeout(120_000) });
      } catch (err) {
        return { id: '', status: 'error', reason: null, publishedAt: '', sentAt, answeredAt: Date.now(), http: 0, throttled, error: (err as Error).message };
      }
      const text = await res.text();
      if (res.status === 429) {
        throttled++;
        await sleep(Math.min(10_000, 1000 * (Number(res.headers.get('retry-after')) || 1)));
        continue;
      }
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // reported below as an error
      }
      if (res.status >= 400 && res.status !== 403) {
        const e = (json.error as { message?: string } | undefined)?.message ?? text.slice(0, 200);
        return { id: '', status: 'error', reason: e, publishedAt: '', sentAt, answeredAt: Date.now(), http: res.status, throttled, error: e };
      }
      const err = json.error as { message?: string; details?: { execution?: { id?: string } } } | undefined;
      return {
        id: String(json.id ?? err?.details?.execution?.id ?? ''),
        status: String(json.status ?? (res.status === 403 ? 'denied' : 'unknown')),
        reason: (json.reason as string | null | undefined) ?? err?.message ?? null,
        publishedAt: String(json.publishedAt ?? ''),
        sentAt,
        answeredAt: Date.now(),
        http: res.status,
        throttled,
      };
    }
    return {
      id: '',
      status: 'error',
      reason: 'still throttled after 20 attempts',
      publishedAt: '',
      sentAt,
      answeredAt: Date.now(),
      http: 429,
      throttled,
      error: 'throttled',
    };
  }

  async get<T>(path: string): Promise<T> {
    const res = await fetch(`${this.url}${path}`, { headers: this.headers(), signal: AbortSignal.timeout(60_000) });
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
    return (await res.json()) as T;
  }

  async text(path: string): Promise<string> {
    const res = await fetch(`${this.url}${path}`, { headers: this.headers(), signal: AbortSignal.timeout(60_000) });
    return res.ok ? res.text() : '';
  }

  async post(path: string): Promise<number> {
    const res = await fetch(`${this.url}${path}`, { method: 'POST', headers: this.headers(), signal: AbortSignal.timeout(120_000) });
    await res.text();
    return res.status;
  }

  /** The tenant's newest executions (the API lists at most 1,000). */
  list(): Promise<ExecutionView[]> {
    return this.get<ExecutionView[]>('/api/executions');
  }
}

/** Run `fn` over `items` with at most `limit` in flight; results in input order. */
export async function pooled<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(lanes);
  return out;
}

/** `maestro <args>` of the build at `bin` on a state home, as root@local; its stdout, or throws with its stderr. */
export function cliAt(bin: string, home: string, args: string[]): string {
  const r = spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, MAESTRO_HOME: home, MAESTRO_SUBJECT: 'root@local' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`maestro ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}
