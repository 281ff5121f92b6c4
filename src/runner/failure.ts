/**
 * Failure diagnostics: the last lines a failed task printed (stdout and stderr, in order), read from
 * the database (ADR 0030: any replica shows them), or from the end of a logs/<task>.ndjson with a
 * bounded read, so `run` and `status` can show why a task failed.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../store/index.js';
import { readLogTail } from '../store/logs.js';

/** Lines shown for a failed task. */
export const FAILURE_TAIL_LINES = 20;
/** At most this many bytes are read from the end of a log file. */
export const FAILURE_TAIL_BYTES = 64 * 1024;
/** A longer line is cut to this many characters (with an ellipsis). */
export const FAILURE_LINE_CHARS = 400;

export interface TaskFailure {
  /** The task's last output lines, oldest first (stderr lines prefixed "! "). */
  tail: string[];
}

/**
 * The last `lines` output lines of a task, reading at most FAILURE_TAIL_BYTES from the end.
 * @example readTail('/state/executions/ex_1', 'build') // ['! make: *** [all] Error 7']
 */
export function readTail(executionDir: string, task: string, lines = FAILURE_TAIL_LINES): string[] {
  const path = join(executionDir, 'logs', `${task}.ndjson`);
  if (!existsSync(path)) return [];
  const fd = openSync(path, 'r');
  let text: string;
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, FAILURE_TAIL_BYTES);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    text = buf.toString('utf8');
    // Drop the first, possibly partial, record when the read did not start at the file's beginning.
    if (len < size) text = text.slice(text.indexOf('\n') + 1);
  } finally {
    closeSync(fd);
  }
  const out: string[] = [];
  for (const rec of text.split('\n')) {
    if (rec === '') continue;
    try {
      const { stream, line } = JSON.parse(rec) as { stream: string; line: string };
      out.push(tailLine(stream, line));
    } catch {
      /* a half-written record */
    }
  }
  return out.slice(-lines);
}

/**
 * The last `lines` output lines of a task, from the database's log (one bounded query).
 * @example readTailFromDb(db, 'ex_1', 'build') // ['! make: *** [all] Error 7']
 */
export function readTailFromDb(db: Db, executionId: string, task: string, lines = FAILURE_TAIL_LINES): string[] {
  return readLogTail(db, executionId, task, lines).map((r) => tailLine(r.stream, JSON.parse(r.line_json) as string));
}

function tailLine(stream: string, line: string): string {
  const cut = line.length > FAILURE_LINE_CHARS ? `${line.slice(0, FAILURE_LINE_CHARS)}…` : line;
  return stream === 'stderr' ? `! ${cut}` : cut;
}

/**
 * Adds `failure: { tail }` to every failed task and a top-level `failure` naming the first failed
 * task (`failure.tail` in `run --json`). Other tasks and non-failed executions are returned unchanged.
 * With `db`, tails come from the database's log (any replica), else from the files in `dir`.
 */
export function withFailureTails<
  V extends {
    id: string;
    status: string;
    dir: string | null;
    tasks: ReadonlyArray<{ id: string; status: string; exitCode: number | null; reason?: string }>;
  },
>(view: V, db?: Db): V & { failure?: { task: string; exitCode: number | null; reason: string | null; tail: string[] } } {
  if ((!view.dir && !db) || !view.tasks.some((t) => t.status === 'failed')) return view;
  const dir = view.dir ?? '';
  const tail = (task: string): string[] => (db ? readTailFromDb(db, view.id, task) : readTail(dir, task));
  const tasks = view.tasks.map((t) => (t.status === 'failed' ? { ...t, failure: { tail: tail(t.id) } } : t));
  const first = tasks.find((t) => t.status === 'failed') as (typeof tasks)[number] & { failure: TaskFailure };
  return { ...view, tasks, failure: { task: first.id, exitCode: first.exitCode, reason: first.reason ?? null, tail: first.failure.tail } };
}
