/**
 * Riding out a lost database (ADR 0028): retry a store operation while it fails with STORE_UNAVAILABLE
 * (PostgreSQL restarting), with backoff, for a bounded time. Other errors pass through at once.
 */
import { StoreError } from './errors.js';

export interface RetryOptions {
  /** Give up (rethrow) after this long, ms (default 5 min). */
  maxMs?: number;
  /** First backoff, ms (default 200; doubles up to 5 s). */
  firstDelayMs?: number;
  /** Called before each wait (logging). */
  onRetry?: (err: StoreError, attempt: number) => void;
}

/** True for the error a statement raises when the database connection is gone. */
export function isStoreUnavailable(err: unknown): err is StoreError {
  return err instanceof StoreError && err.code === 'STORE_UNAVAILABLE';
}

/**
 * Run `fn` until it does not fail with STORE_UNAVAILABLE, or `maxMs` passed (then the last error).
 * @example const ok = await retryUnavailable(() => finishHeld(db, id, owner, 'succeeded', null, at));
 */
export async function retryUnavailable<T>(fn: () => T | Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const deadline = Date.now() + (opts.maxMs ?? 300_000);
  let delay = opts.firstDelayMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isStoreUnavailable(err) || Date.now() + delay > deadline) throw err;
      opts.onRetry?.(err, attempt);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }
}
