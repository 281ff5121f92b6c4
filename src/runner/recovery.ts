/**
 * Crash safety: an execution left queued/running by a runner process that no longer exists (killed,
 * machine rebooted) is marked failed with the reason, and its leftover sandboxes are killed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Db } from '../store/db.js';
import { markFinished, orphanCandidates, sandboxPgids, settleTasks } from '../store/executions.js';

/** The kernel's start time of a process (field 22 of /proc/<pid>/stat), or null when it is gone. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** True when `pid` is alive and is still the process that started at `start`. */
export function sameProcessAlive(pid: number, start: string | null): boolean {
  const now = processStartTime(pid);
  return now !== null && (start === null || now === start);
}

/**
 * SIGKILLs every bwrap process whose command line binds this execution's out directory. Catches
 * sandboxes whose runner died before bwrap armed --die-with-parent; killing bwrap's pid 1 ends its
 * whole pid namespace.
 */
export function killSandboxesOf(executionDir: string): number {
  const needle = `${executionDir}/out/`;
  let n = 0;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.startsWith('bwrap\0') || cmd.includes('/bwrap\0')) {
        if (cmd.includes(needle)) {
          process.kill(Number(pid), 'SIGKILL');
          n += 1;
        }
      }
    } catch {
      /* exited or not ours */
    }
  }
  return n;
}

export interface RecoveredExecution {
  id: string;
  killedSandboxes: number;
}

/**
 * Marks orphaned executions failed and kills their sandbox process groups.
 * @example
 *   const recovered = recoverOrphans(store.db, isoNow(ctx));
 */
export function recoverOrphans(db: Db, at: string): RecoveredExecution[] {
  const out: RecoveredExecution[] = [];
  for (const ex of orphanCandidates(db)) {
    if (ex.runner_pid === null || sameProcessAlive(ex.runner_pid, ex.runner_start)) continue;
    let killed = 0;
    for (const pgid of sandboxPgids(db, ex.id)) {
      try {
        process.kill(-pgid, 'SIGKILL');
        killed += 1;
      } catch {
        /* already gone */
      }
    }
    if (ex.dir) killed += killSandboxesOf(ex.dir);
    const reason = `runner process ${ex.runner_pid} died while the execution was ${ex.status} (maestro was killed or the machine restarted)`;
    if (markFinished(db, ex.id, 'failed', reason, at)) {
      settleTasks(db, ex.id, 'failed', 'the runner died while this task was running', at, 'running');
      settleTasks(db, ex.id, 'skipped', 'the runner died before this task started', at, 'pending');
      out.push({ id: ex.id, killedSandboxes: killed });
    }
  }
  return out;
}
