/**
 * Process identity on Linux: a pid alone is recycled (pid_max is often 32,768, and a busy host wraps
 * it within minutes), so "is the process that wrote this still alive?" compares the kernel's start
 * time too (field 22 of /proc/<pid>/stat, clock ticks since boot).
 */
import { readFileSync } from 'node:fs';

interface ProcStat {
  state: string;
  start: string;
}

function procStat(pid: number): ProcStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '?', start: fields[19] ?? '' };
  } catch {
    return null;
  }
}

/** The kernel's start time of a process (field 22 of /proc/<pid>/stat), or null when it is gone. */
export function processStartTime(pid: number): string | null {
  return procStat(pid)?.start ?? null;
}

/**
 * True when `pid` is alive and is still the process that started at `start`. A zombie (state Z) or
 * a dying process (X) is dead: it runs nothing and its /proc entry only waits for its parent.
 * `start` null or empty: any live process with that pid counts.
 */
export function sameProcessAlive(pid: number, start: string | null): boolean {
  const s = procStat(pid);
  if (!s || s.state === 'Z' || s.state === 'X' || s.state === 'x') return false;
  return start === null || start === '' || s.start === start;
}

let selfTag: string | undefined;

/**
 * This process as a file-name tag: `<pid>.<start time>` (`<pid>` alone without /proc). Temp files
 * carry it so a sweep tells a dead writer's leftover from a live write even after the pid is reused.
 */
export function writerTag(): string {
  if (selfTag === undefined) {
    const start = processStartTime(process.pid);
    selfTag = start ? `${process.pid}.${start}` : String(process.pid);
  }
  return selfTag;
}

/** Whether the writer a tag names (pid and, when present, start time) is this process or still alive. */
export function writerAlive(pid: number, start: string | undefined): boolean {
  if (pid === process.pid && (start === undefined || writerTag() === `${pid}.${start}`)) return true;
  return sameProcessAlive(pid, start ?? null);
}
