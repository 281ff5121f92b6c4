/**
 * Splitting a byte stream into lines without ever holding more than one read plus one (capped)
 * partial line in memory; lines are handed over in batches (all complete lines of one read), so a
 * fast writer costs one callback per read, not one per line.
 */
import type { Readable } from 'node:stream';

/** Longest line kept whole; longer lines are cut into chunks of this size. */
export const MAX_LINE_BYTES = 64 * 1024;

const stripCr = (t: string): string => (t.endsWith('\r') ? t.slice(0, -1) : t);

/**
 * Calls `onLines` with the complete lines of every read of `stream` (without the newlines); resolves
 * at end of stream. A returned promise pauses the stream until it settles (backpressure).
 * @example
 *   await forEachLines(child.stdout, (ls) => ls.forEach((l) => console.log(l)));
 */
export function forEachLines(stream: Readable, onLines: (lines: string[]) => void | Promise<void>, maxBytes = MAX_LINE_BYTES): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending: Buffer[] = [];
    let pendingLen = 0;
    const take = (batch: string[]): void => {
      batch.push(stripCr(Buffer.concat(pending, pendingLen).toString('utf8')));
      pending = [];
      pendingLen = 0;
    };
    const deliver = (batch: string[]): void => {
      if (batch.length === 0) return;
      const wait = onLines(batch);
      if (wait instanceof Promise) {
        stream.pause();
        void wait.then(() => stream.resume(), reject);
      }
    };
    stream.on('data', (chunk: Buffer) => {
      const batch: string[] = [];
      let start = 0;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
        if (pendingLen === 0 && i - start < maxBytes) {
          batch.push(stripCr(chunk.toString('utf8', start, i)));
        } else {
          pending.push(chunk.subarray(start, i));
          pendingLen += i - start;
          take(batch);
        }
        start = i + 1;
      }
      let rest = chunk.subarray(start);
      while (pendingLen + rest.length >= maxBytes) {
        const n = maxBytes - pendingLen;
        pending.push(rest.subarray(0, n));
        pendingLen += n;
        take(batch);
        rest = rest.subarray(n);
      }
      if (rest.length) {
        pending.push(Buffer.from(rest));
        pendingLen += rest.length;
      }
      deliver(batch);
    });
    stream.on('end', () => {
      const batch: string[] = [];
      if (pendingLen > 0) take(batch);
      deliver(batch);
      resolve();
    });
    stream.on('error', reject);
  });
}

/**
 * Calls `onLine` for every line of `stream` (without the newline); resolves at end of stream.
 * @example
 *   await forEachLine(child.stdout, (l) => console.log(l));
 */
export function forEachLine(stream: Readable, onLine: (line: string) => void | Promise<void>, maxBytes = MAX_LINE_BYTES): Promise<void> {
  return forEachLines(
    stream,
    (lines) => {
      let last: void | Promise<void> | undefined;
      for (const l of lines) last = onLine(l);
      return last;
    },
    maxBytes,
  );
}
