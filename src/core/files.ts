/**
 * Atomic file replacement on libuv's thread pool: the new content goes to a temp file beside the
 * target, then a rename puts it in place, so after a kill -9 at any point the target is either the
 * old complete file or the new complete one. The event loop only queues the work. Also: where a
 * compiled helper script (a thread's or a child process's entry) is.
 */
import { existsSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writerTag } from './proc.js';

let seq = 0;

/**
 * A temp name beside `path` for this process's write: `<path>.<pid>.<start>-<n>.tmp`. The pid and
 * the process's start time let recovery tell a dead writer's leftover from a live write in progress
 * (TEMP_WRITER, writerAlive), even once the pid is reused; the per-process sequence keeps two writes
 * of one process to the same target from sharing a temp file.
 */
export function tempNameFor(path: string): string {
  seq = (seq + 1) % Number.MAX_SAFE_INTEGER;
  return `${path}.${writerTag()}-${seq}.tmp`;
}

/**
 * The writer in a temp file name: group 1 its pid, group 2 its start time when named
 * (`<name>.<pid>.tmp`, `<name>.<pid>-<n>.tmp`, `<name>.<pid>.<start>-<n>.tmp`).
 */
export const TEMP_WRITER = /\.(\d{1,10})(?:\.(\d{1,20}))?(?:-\d+)?\.tmp$/;

/**
 * Writes `data` to `path` atomically (temp file + rename). `beforeRename` runs with the temp file
 * written and not renamed yet (the crash tests' failpoints). On failure the temp file is removed.
 * @example await writeFileAtomic('/home/.maestro/executions/ex_1/execution.json', text);
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, opts: { mode?: number; beforeRename?: () => void } = {}): Promise<void> {
  const tmp = tempNameFor(path);
  try {
    await writeFile(tmp, data, opts.mode === undefined ? {} : { mode: opts.mode });
    opts.beforeRename?.();
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/**
 * A compiled script beside the calling module (running from dist), or in the built dist/ above it
 * (running bundled, or tests from src/): `builtScript(import.meta.url, 'runner/spawner-main.js')`.
 * Null when neither exists (not built).
 */
export function builtScript(moduleUrl: string, fromSrc: string): string | null {
  const here = dirname(fileURLToPath(moduleUrl));
  const local = join(here, basename(fromSrc));
  if (existsSync(local)) return local;
  let dir = here;
  for (let i = 0; i < 6; i++, dir = dirname(dir)) {
    const built = join(dir, 'dist', 'src', ...fromSrc.split('/'));
    if (existsSync(built)) return built;
  }
  return null;
}
