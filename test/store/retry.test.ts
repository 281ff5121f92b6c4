/** Riding out a lost database (ADR 0028): retries only STORE_UNAVAILABLE, with a bounded total wait. */
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/errors.js';
import { isStoreUnavailable, retryUnavailable } from '../../src/store/retry.js';

const unavailable = () => new StoreError('STORE_UNAVAILABLE', 'PostgreSQL at postgres://h/db is unavailable');

describe('retryUnavailable', () => {
  it('retries while the store is unavailable, then returns the value', async () => {
    let calls = 0;
    const seen: number[] = [];
    const v = await retryUnavailable(
      () => {
        calls += 1;
        if (calls < 3) throw unavailable();
        return 'landed';
      },
      { firstDelayMs: 5, onRetry: (_e, n) => seen.push(n) },
    );
    expect(v).toBe('landed');
    expect(calls).toBe(3);
    expect(seen).toEqual([1, 2]);
  });

  it('passes any other error through at once', async () => {
    let calls = 0;
    await expect(
      retryUnavailable(() => {
        calls += 1;
        throw new StoreError('STORE_QUERY_FAILED', 'syntax error');
      }),
    ).rejects.toThrow('syntax error');
    expect(calls).toBe(1);
  });

  it('gives up after maxMs with the last error (the bound)', async () => {
    let calls = 0;
    const t0 = Date.now();
    const err = await retryUnavailable(
      () => {
        calls += 1;
        throw unavailable();
      },
      { maxMs: 120, firstDelayMs: 10 },
    ).catch((e: unknown) => e);
    expect(isStoreUnavailable(err)).toBe(true);
    expect(calls).toBeGreaterThan(1);
    expect(calls).toBeLessThan(10);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
