/**
 * Starting one sandbox launcher process (perl → bwrap) with its descriptors: the seccomp program
 * (fd 3), the report pipe (4), bwrap's info and block pipes (5, 6), its arguments (7) and the
 * environment file (8). Shared by the direct path (the runner forks itself) and by the spawner
 * process (ADR 0036), so both start a sandbox the same way.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, mkdirSync, openSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { encodeArgs, FD, SANDBOX_UID } from './sandbox-args.js';

/** Everything needed to start one sandbox launcher: plain data, so it can cross a process boundary. */
export interface LaunchRequest {
  /** The perl binary that joins the cgroup, closes descriptors and execs bwrap. */
  perl: string;
  /** perl's arguments (the launcher script, bwrap, the cgroup files, `--` and the task). */
  argv: string[];
  /** bwrap's options, written NUL-separated to its `--args` pipe. */
  options: string[];
  /** The compiled seccomp program, opened read-only as fd 3. */
  seccompFile: string;
  /** The root-only directory the environment file is written in (and unlinked from) before the start. */
  envDir: string;
  /** The environment script sourced inside the sandbox. */
  envBody: string;
  /** Root hosts: the user namespace is mapped 0→0 and 65534→65534 once bwrap reports its child. */
  mapped: boolean;
}

/** The view of a started sandbox that supervision needs: its pid, output streams, close and error. */
export interface SandboxChild {
  readonly pid?: number | undefined;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'close', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
}

/** A started launcher and its report stream (the in-sandbox wrapper's usage and /tmp audit). */
export interface Launched {
  child: SandboxChild;
  report: Readable;
  /** How long ago (ms) the sandbox really started: the spawner's answer can wait behind a busy event loop. */
  startedMsAgo?: number;
}

/**
 * The task's environment as a file only the task's user can read, opened for fd 8 and unlinked at
 * once: the values are on no command line, and the file is gone before the task starts. The
 * directory is root-only (0700), so nobody else can reach it in between.
 */
function openEnvFile(dir: string, body: string, mapped: boolean): number {
  const file = join(dir, randomBytes(12).toString('hex'));
  // The directory is made on first use (and again if it was removed), not checked before every task.
  try {
    writeFileSync(file, body, { mode: 0o400, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(file, body, { mode: 0o400, flag: 'wx' });
  }
  try {
    if (mapped) chownSync(file, SANDBOX_UID, SANDBOX_UID);
    return openSync(file, 'r');
  } finally {
    unlinkSync(file);
  }
}

/** Root hosts: once bwrap reports its child, map 0→0 and 65534→65534 in its user namespace and release it. */
function mapIdentityWhenReady(child: ChildProcess): void {
  let buf = '';
  const stdio = child.stdio as unknown as Array<Readable & Writable>;
  const info: Readable = stdio[FD.info]!;
  const block: Writable = stdio[FD.block]!;
  block.on('error', () => undefined);
  info.on('data', (d: Buffer) => {
    buf += d.toString();
    const m = /"child-pid"\s*:\s*(\d+)/.exec(buf);
    if (!m || buf === '') return;
    buf = '';
    try {
      const map = `0 0 1\n${SANDBOX_UID} ${SANDBOX_UID} 1\n`;
      writeFileSync(`/proc/${m[1]}/uid_map`, map);
      writeFileSync(`/proc/${m[1]}/gid_map`, map);
      block.end('1');
    } catch {
      // The child died before we could map it: closing the block fd lets bwrap fail and exit.
      block.destroy();
    }
  });
}

/**
 * Forks this process into the sandbox launcher. Throws when the environment file cannot be written
 * or the seccomp program cannot be opened; a launcher that cannot start is reported by its 'error'.
 */
export function launchSandbox(req: LaunchRequest): { child: ChildProcess; report: Readable } {
  const envFd = openEnvFile(req.envDir, req.envBody, req.mapped);
  let seccompFd: number;
  try {
    seccompFd = openSync(req.seccompFile, 'r');
  } catch (err) {
    closeSync(envFd);
    throw err;
  }
  let child: ChildProcess;
  try {
    child = spawn(req.perl, req.argv, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', seccompFd, 'pipe', 'pipe', req.mapped ? 'pipe' : 'ignore', 'pipe', envFd],
      env: { PATH: '/usr/bin:/bin' },
    });
  } finally {
    closeSync(seccompFd);
    closeSync(envFd);
  }
  const argsPipe = (child.stdio as unknown as Array<Writable | null>)[FD.args]!;
  argsPipe.on('error', () => undefined); // the launcher died early: supervision reports its exit
  argsPipe.end(encodeArgs(req.options));
  if (req.mapped) mapIdentityWhenReady(child);
  return { child, report: child.stdio[FD.report] as Readable };
}
