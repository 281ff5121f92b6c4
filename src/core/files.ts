/**
 * Atomic file replacement: the new content goes to a temp file beside the target, named after its
 * writer (pid and start time), then a rename puts it in place, so after a kill -9 at any point the
 * target is either the old complete file or the new complete one (writeFileAtomic on libuv's thread
 * pool, writeFileAtomicSync for small files on synchronous paths). The temps a killed writer left are
 * swept once their writer is gone (sweepDeadTemps, ADR 0038). Also: where a compiled helper script
 * (a thread's or a child process's entry) is.
 */
import { chmodSync, existsSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writerAlive, writerTag } from './proc.js';

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

// Exactly tempNameFor's names: pid, start time and sequence all present.
const OWN_TEMP = /\.(\d{1,10})\.(\d{1,20})-\d{1,16}\.tmp$/;

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
 * The synchronous twin of writeFileAtomic, for small files on paths that are synchronous anyway
 * (tokens, keys, the seccomp program, pidfiles): temp file named after this process, then rename.
 * With `mode`, the file gets exactly that mode whatever the umask. The first write into a directory
 * in a process first removes the temps that dead writers left there (sweepDeadTemps).
 * @example writeFileAtomicSync(join(home, 'token'), `${token}\n`, { mode: 0o600 });
 */
export function writeFileAtomicSync(path: string, data: string | Uint8Array, opts: { mode?: number } = {}): void {
  sweepDeadTempsOnce(dirname(path));
  const tmp = tempNameFor(path);
  try {
    writeFileSync(tmp, data, opts.mode === undefined ? {} : { mode: opts.mode });
    if (opts.mode !== undefined) chmodSync(tmp, opts.mode);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Most directories a process remembers as swept (execution directories are many in a server). */
export const SWEPT_DIRS_MAX = 1024;
const swept = new Set<string>();

/** sweepDeadTemps the first time this process asks for `dir` (again once SWEPT_DIRS_MAX is passed). */
export function sweepDeadTempsOnce(dir: string): void {
  if (swept.has(dir)) return;
  if (swept.size >= SWEPT_DIRS_MAX) swept.clear(); // a directory seen again is swept again: harmless
  swept.add(dir);
  sweepDeadTemps(dir);
}

/**
 * Removes the temp files this code names (`<name>.<pid>.<start>-<n>.tmp`, tempNameFor) in `dir` whose
 * writer is gone: dead, a zombie, or its pid reused (ADR 0038). Anything else is left alone, older
 * pid-only names too: the directory may be the user's (a policy pack's). With `anyTemp` (a directory
 * only maestro writes in, an execution's), every `.tmp` goes unless TEMP_WRITER names a live writer.
 * Returns the names removed.
 * @example sweepDeadTemps(join(home, 'keys'));
 */
export function sweepDeadTemps(dir: string, opts: { anyTemp?: boolean } = {}): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.endsWith('.tmp')) continue;
    const w = (opts.anyTemp ? TEMP_WRITER : OWN_TEMP).exec(name);
    if (w ? writerAlive(Number(w[1]), w[2]) : !opts.anyTemp) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
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
