/**
 * `maestro backup --watch --every 60s`: back up now, then every period, until the signal (SIGTERM) or
 * maxRuns. A backup in progress finishes before the loop stops (no half-written backup); the wait
 * between backups ends at once on the signal. Ten failures in a row, or one usage error (no passphrase,
 * bad target), stop the loop with that error.
 */
import type { Context } from '../core/context.js';
import { runBackup } from './backup.js';
import type { WatchOptions } from './backup.types.js';
import { BackupUsageError } from './errors.js';

export const MAX_CONSECUTIVE_FAILURES = 10;
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "60s", "5m", "1h", "500ms" → milliseconds (at least 1 s, at most 24 h). */
export function parseEvery(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNITS[m[2]!]! : NaN;
  if (!Number.isFinite(ms) || ms < 1000 || ms > 86_400_000) {
    throw new BackupUsageError('BACKUP_EVERY_INVALID', `--every "${text}" is not a period between 1s and 24h`, { hint: 'examples: --every 60s, --every 5m' });
  }
  return ms;
}

/**
 * Run backups until `options.signal` aborts; resolves with the number of backups made.
 * @example await watchBackups(ctx, { to: dir, everyMs: 60_000, signal, onResult: print, onError: warn });
 */
export async function watchBackups(ctx: Context, options: WatchOptions): Promise<{ backups: number; failures: number }> {
  let backups = 0;
  let failures = 0;
  let streak = 0;
  while (!options.signal.aborted && (options.maxRuns === undefined || backups + failures < options.maxRuns)) {
    const began = ctx.clock.now();
    try {
      options.onResult(await runBackup(ctx, options));
      backups++;
      streak = 0;
    } catch (err) {
      failures++;
      // A usage error (no passphrase, bad target) will not heal by waiting: stop at once.
      if ((err as { kind?: string }).kind === 'usage' || ++streak >= MAX_CONSECUTIVE_FAILURES) throw err;
      options.onError(err as Error);
    }
    if (options.maxRuns !== undefined && backups + failures >= options.maxRuns) break;
    await sleep(Math.max(0, began + options.everyMs - ctx.clock.now()), options.signal);
  }
  return { backups, failures };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
