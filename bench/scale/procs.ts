/**
 * Samples the maestro processes of one state home from /proc: node processes running bin/run.js with
 * MAESTRO_HOME set to that home (the server, its workers, any per-execution worker), and the sandbox
 * spawner process each of them starts (ADR 0036: it carries no MAESTRO_HOME, so it is known by its
 * parent). Reports CPU use
 * (user + system, clock ticks) and resident memory summed over them, and how many there are; also
 * counts every process descended from the server (sandboxes included), for information.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK = 100; // USER_HZ on Linux
const PAGE = 4096;

interface Proc {
  pid: number;
  ppid: number;
  ticks: number;
  /** CPU of its reaped children (cutime + cstime): the sandboxes, for a spawner or a pool. */
  childTicks: number;
  rssBytes: number;
  start: string;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state): utime 14, stime 15, starttime 22, rss 24.
    return {
      pid,
      ppid: Number(rest[1]),
      ticks: Number(rest[11]) + Number(rest[12]),
      childTicks: Number(rest[13]) + Number(rest[14]),
      start: rest[19]!,
      rssBytes: Number(rest[21]) * PAGE,
    };
  } catch {
    return undefined;
  }
}

export interface Sample {
  at: number;
  maestro: number;
  /** CPU seconds used by the maestro processes seen so far (cumulative, per process last value). */
  cpuSec: number;
  /** CPU seconds of the processes they started and reaped (the sandboxes), cumulative likewise. */
  childCpuSec: number;
  rssBytes: number;
  descendants: number;
}

/** Watches the maestro processes of a home; call sample() periodically (bounded by the caller). */
export class ProcWatch {
  private readonly home: string;
  private readonly rootPid: number;
  private readonly known = new Map<string, boolean>();
  /** Last CPU ticks of every maestro process ever seen (pid:start), so exited ones still count. */
  private readonly ticks = new Map<string, number>();
  private readonly childTicks = new Map<string, number>();
  peakRss = 0;
  peakMaestro = 0;
  peakDescendants = 0;

  constructor(home: string, rootPid: number) {
    this.home = home;
    this.rootPid = rootPid;
  }

  private isMaestro(p: Proc): boolean {
    const key = `${p.pid}:${p.start}`;
    let v = this.known.get(key);
    if (v === undefined) {
      try {
        const cmd = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8');
        if (cmd.includes('spawner-main.js')) {
          const parent = readProc(p.ppid);
          v = parent !== undefined && this.isMaestro(parent);
          this.known.set(key, v);
          return v;
        }
        const env = cmd.includes('bin/run.js') ? readFileSync(`/proc/${p.pid}/environ`, 'utf8') : '';
        v = cmd.includes('bin/run.js') && env.split('\0').includes(`MAESTRO_HOME=${this.home}`);
      } catch {
        v = false;
      }
      this.known.set(key, v);
    }
    return v;
  }

  sample(): Sample {
    const procs: Proc[] = [];
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const p = readProc(Number(name));
      if (p) procs.push(p);
    }
    const children = new Map<number, number[]>();
    for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
    let descendants = 0;
    const stack = [this.rootPid];
    for (let guard = 0; stack.length > 0 && guard < 1_000_000; guard++) {
      for (const c of children.get(stack.pop()!) ?? []) {
        descendants++;
        stack.push(c);
      }
    }
    let rss = 0;
    let n = 0;
    for (const p of procs) {
      if (!this.isMaestro(p)) continue;
      n++;
      rss += p.rssBytes;
      this.ticks.set(`${p.pid}:${p.start}`, p.ticks);
      this.childTicks.set(`${p.pid}:${p.start}`, p.childTicks);
    }
    this.peakRss = Math.max(this.peakRss, rss);
    this.peakMaestro = Math.max(this.peakMaestro, n);
    this.peakDescendants = Math.max(this.peakDescendants, descendants);
    let total = 0;
    for (const t of this.ticks.values()) total += t;
    let reaped = 0;
    for (const t of this.childTicks.values()) reaped += t;
    return { at: Date.now(), maestro: n, cpuSec: total / TICK, childCpuSec: reaped / TICK, rssBytes: rss, descendants };
  }
}

/** Pids of every process descended from `root` (for clean-up). */
export function descendantsOf(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProc(Number(name));
    if (p) parent.set(p.pid, p.ppid);
  }
  const out: number[] = [];
  for (const pid of parent.keys()) {
    let cur = parent.get(pid);
    for (let depth = 0; cur !== undefined && cur > 1 && depth < 64; depth++, cur = parent.get(cur)) {
      if (cur === root) {
        out.push(pid);
        break;
      }
    }
  }
  return out;
}
