/** Splitting a byte stream into lines without ever holding more than one (capped) line in memory. */
import type { Readable } from 'node:stream';

/** Longest line kept whole; longer lines are cut into chunks of this size. */
export const MAX_LINE_BYTES = 64 * 1024;

/**
 * Calls `onLine` for every line of `stream` (without the newline); resolves at end of stream.
 * @example
 *   await forEachLine(child.stdout, (l) => console.log(l));
 */
export function forEachLine(stream: Readable, onLine: (line: string) => void | Promise<void>, maxBytes = MAX_LINE_BYTES): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending: Buffer[] = [];
    let pendingLen = 0;
    const flush = (): void => {
      if (pendingLen === 0 && pending.length === 0) return;
      const text = Buffer.concat(pending, pendingLen).toString('utf8');
      pending = [];
      pendingLen = 0;
      const wait = onLine(text.endsWith('\r') ? text.slice(0, -1) : text);
      // Backpressure: a slow consumer pauses the pipe, so nothing accumulates here.
      if (wait instanceof Promise) {
        stream.pause();
        void wait.then(() => stream.resume());
      }
    };
    stream.on('data', (chunk: Buffer) => {
      let start = 0;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
        pending.push(chunk.subarray(start, i));
        pendingLen += i - start;
        flush();
        start = i + 1;
      }
      let rest = chunk.subarray(start);
      while (pendingLen + rest.length >= maxBytes) {
        const take = maxBytes - pendingLen;
        pending.push(rest.subarray(0, take));
        pendingLen += take;
        flush();
        rest = rest.subarray(take);
      }
      if (rest.length) {
        pending.push(Buffer.from(rest));
        pendingLen += rest.length;
      }
    });
    stream.on('end', () => {
      if (pendingLen > 0) flush();
      resolve();
    });
    stream.on('error', reject);
  });
}
