/** Retry with exponential backoff and full jitter for throttling (429), server errors (5xx) and dropped connections. */

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Uniform in [0, 1): from the Context, so tests can pin it. */
  random: () => number;
  /** Incremented on every retry (shared across the requests of one upload). */
  retries: number;
}

const NETWORK_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/** Whether an AWS SDK / network error is worth another attempt. */
export function isRetryable(err: unknown): boolean {
  const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown; cause?: unknown };
  const status = e?.$metadata?.httpStatusCode;
  if (status === 429 || (status !== undefined && status >= 500)) return true;
  if (e?.$retryable) return true;
  if (e?.code && NETWORK_CODES.has(e.code)) return true;
  if (e?.name === 'TimeoutError' || e?.name === 'RequestTimeout' || e?.name === 'SlowDown' || e?.name === 'Throttling') return true;
  if (typeof e?.message === 'string' && /socket hang up|ECONNRESET|EPIPE|premature close|aborted/i.test(e.message)) return true;
  return e?.cause !== undefined && e.cause !== err ? isRetryable(e.cause) : false;
}

/** Delay before retry `attempt` (1-based): uniform in [0, min(max, base·2^(attempt-1))]. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  return Math.floor(policy.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)));
}

/** Run `fn`, retrying retryable failures up to policy.maxAttempts attempts in all. */
export async function withRetry<T>(policy: RetryPolicy, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= policy.maxAttempts || !isRetryable(err)) throw err;
      policy.retries++;
      await new Promise((r) => setTimeout(r, backoffDelay(policy, attempt)));
    }
  }
}
