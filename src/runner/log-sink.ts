/**
 * Task log lines into the database (ADR 0030): one sink per execution, shared by its tasks, numbers
 * every line (one order across tasks), buffers them and writes a batch every FLUSH_MS or FLUSH_BYTES,
 * whichever comes first. A per-execution cap bounds what is kept: the line that would cross it is
 * replaced by one truncation marker and later lines are dropped (and counted).
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../store/index.js';
import { appendLogRows, type LogRow, logTotals } from '../store/logs.js';
import { isStoreUnavailable } from '../store/retry.js';

/** A batch is written at least this often while lines arrive (milliseconds). */
export const FLUSH_MS = 250;
/** ...and as soon as this many bytes of lines are buffered. */
export const FLUSH_BYTES = 64 * 1024;
/** Default cap of logged bytes per execution (MAESTRO_LOG_CAP_BYTES overrides). */
export const DEFAULT_LOG_CAP_BYTES = 64 * 1024 * 1024;

export interface LogSinkOptions {
  capBytes?: number;
  flushMs?: number;
  flushBytes?: number;
  /** A directory that mirrors the committed lines as <task>.ndjson (appended after each batch commits). */
  mirrorDir?: string | null;
}

/** The ndjson record of a log line, byte for byte what logs/<task>.ndjson holds and packs contain. */
export function ndjsonRecord(ts: string, stream: string, lineJson: string): string {
  return `{"ts":${JSON.stringify(ts)},"stream":${JSON.stringify(stream)},"line":${lineJson}}\n`;
}

/** The marker that replaces the lines past the cap. */
export function truncationMarker(capBytes: number): string {
  return `maestro: log truncated: this execution reached its cap of ${capBytes} logged bytes (MAESTRO_LOG_CAP_BYTES); later lines of every task were dropped`;
}

/** The cap for a process environment (positive integer bytes, else the default). */
export function logCapFromEnv(env: Readonly<Record<string, string | undefined>>): number {
  const n = Number(env.MAESTRO_LOG_CAP_BYTES);
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_LOG_CAP_BYTES;
}

export class LogSink {
  readonly #db: Db;
  readonly #id: string;
  readonly #o: Required<LogSinkOptions>;
  #seq: number;
  #bytes: number;
  #buffer: LogRow[] = [];
  #bufferBytes = 0;
  #timer: NodeJS.Timeout | null = null;
  #truncated: boolean;
  #dropped = 0;
  #batches = 0;

  constructor(db: Db, executionId: string, options: LogSinkOptions = {}) {
    this.#db = db;
    this.#id = executionId;
    this.#o = {
      capBytes: options.capBytes ?? DEFAULT_LOG_CAP_BYTES,
      flushMs: options.flushMs ?? FLUSH_MS,
      flushBytes: options.flushBytes ?? FLUSH_BYTES,
      mirrorDir: options.mirrorDir ?? null,
    };
    // A holder resuming an execution (its lease was reclaimed) continues the numbering and the cap.
    const totals = logTotals(db, executionId);
    this.#seq = totals.seq;
    this.#bytes = totals.bytes;
    this.#truncated = totals.bytes >= this.#o.capBytes;
  }

  /** Lines dropped past the cap so far, and batches written. */
  get stats(): { dropped: number; batches: number; truncated: boolean; bytes: number } {
    return { dropped: this.#dropped, batches: this.#batches, truncated: this.#truncated, bytes: this.#bytes };
  }

  /**
   * Buffer lines of one task; returns the ndjson text of the lines kept.
   * @example const text = sink.push('build', 'stdout', ['compiling'], isoNow(ctx));
   */
  push(task: string, stream: 'stdout' | 'stderr', lines: readonly string[], ts: string): string {
    let text = '';
    for (const line of lines) {
      if (this.#truncated) {
        this.#dropped += 1;
        continue;
      }
      const bytes = Buffer.byteLength(line, 'utf8');
      let row: LogRow;
      if (this.#bytes + bytes > this.#o.capBytes) {
        this.#truncated = true;
        this.#dropped += 1;
        const marker = truncationMarker(this.#o.capBytes);
        // The marker counts, so the total passes the cap and a resuming holder knows it is truncated.
        const markerBytes = Buffer.byteLength(marker, 'utf8');
        this.#bytes += markerBytes;
        row = { seq: ++this.#seq, task_id: task, ts, stream: 'stderr', line_json: JSON.stringify(marker), bytes: markerBytes };
      } else {
        this.#bytes += bytes;
        row = { seq: ++this.#seq, task_id: task, ts, stream, line_json: JSON.stringify(line), bytes };
      }
      this.#buffer.push(row);
      this.#bufferBytes += row.line_json.length;
      text += ndjsonRecord(row.ts, row.stream, row.line_json);
    }
    if (this.#bufferBytes >= this.#o.flushBytes) {
      try {
        this.flush();
      } catch (err) {
        // The database is away (PostgreSQL restarting): the batch stays buffered, within the cap, and
        // goes with the next flush; a task's output never fails because of it.
        if (!isStoreUnavailable(err)) throw err;
      }
    } else if (this.#buffer.length > 0 && this.#timer === null) {
      this.#timer = setTimeout(() => this.flushQuietly(), this.#o.flushMs);
      this.#timer.unref();
    }
    return text;
  }

  /** Write the buffered lines now (one transaction); throws when the database refuses them. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    // A failed background batch is still buffered: this write retries it (and throws if it fails again).
    if (this.#buffer.length === 0) return;
    // Cleared only once written: a failed batch is retried whole by the next flush (bounded by the cap).
    appendLogRows(this.#db, this.#id, this.#buffer);
    if (this.#o.mirrorDir) this.#mirror(this.#o.mirrorDir, this.#buffer);
    this.#buffer = [];
    this.#bufferBytes = 0;
    this.#batches += 1;
  }

  // The local copy holds only committed lines, so it never shows a line the database could lose.
  #mirror(dir: string, rows: readonly LogRow[]): void {
    const byTask = new Map<string, string>();
    for (const r of rows) byTask.set(r.task_id, (byTask.get(r.task_id) ?? '') + ndjsonRecord(r.ts, r.stream, r.line_json));
    for (const [task, text] of byTask) appendFileSync(join(dir, `${task}.ndjson`), text);
  }

  /** Flush, keeping the lines buffered on failure (a timer, or a `finally` that must not throw). */
  flushQuietly(): void {
    try {
      this.flush();
    } catch {
      /* retried by the next flush (the execution's end flushes and reports) */
    }
  }
}
