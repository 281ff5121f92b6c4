/** Writes audit: what a task left under /tmp (reported from inside) and /out (hashed on the host). */
import { createHash } from 'node:crypto';
import { createReadStream, type Dirent, lstatSync, readdirSync, type Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TaskUsage, WriteRecord } from './sandbox.types.js';

export interface Report {
  cpuSec: number | null;
  peakRssMB: number | null;
  tmpWrites: WriteRecord[];
}

/**
 * Parses the wrapper's fd-4 report: an optional `time <wall> <user> <sys> <maxrssKB>` line (no cgroup),
 * an `audit` line, NUL-terminated `size\tblocks512\tpath` records, `hashes`, then `sha256sum -z`
 * records (`<hex>  <path>`). A file listed without a hash (unreadable, or past the time budget) has
 * sha256 null.
 */
export function parseReport(raw: Buffer): Report {
  const text = raw.toString('utf8');
  const report: Report = { cpuSec: null, peakRssMB: null, tmpWrites: [] };
  const timeMatch = /(?:^|\n)(?:Command (?:exited|terminated)[^\n]*\n)?time ([\d.]+) ([\d.]+) ([\d.]+) (\d+)\n/.exec(text);
  if (timeMatch) {
    report.cpuSec = round3(Number(timeMatch[2]) + Number(timeMatch[3]));
    report.peakRssMB = round3(Number(timeMatch[4]) / 1024);
  }
  const at = text.indexOf('audit\n');
  if (at === -1) return report;
  const hashes = new Map<string, string>();
  const listed: WriteRecord[] = [];
  for (const rec of text.slice(at + 6).split('\0')) {
    const h = /^(?:hashes\n)?([0-9a-f]{64}) {2}(\/tmp\/.*)$/s.exec(rec);
    if (h) {
      hashes.set(h[2]!, h[1]!);
      continue;
    }
    const m = /^(\d+)\t(\d+)\t(\/tmp\/.*)$/s.exec(rec);
    if (m) listed.push({ path: m[3]!, size: Number(m[1]), allocated: Number(m[2]) * 512, sha256: null });
  }
  for (const w of listed) w.sha256 = hashes.get(w.path) ?? null;
  report.tmpWrites = listed.sort(byPath);
  return report;
}

function byPath(a: WriteRecord, b: WriteRecord): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

async function sha256File(path: string, deadline: number): Promise<string | null> {
  try {
    const h = createHash('sha256');
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      if (Date.now() > deadline) return null;
      h.update(chunk as Buffer);
    }
    return h.digest('hex');
  } catch {
    return null;
  }
}

/** Bounds of the host-side /out audit. */
export interface AuditBounds {
  /** Most files listed (the walk stops there). */
  maxFiles: number;
  /** Total apparent bytes hashed; files past it get sha256 null. */
  maxHashBytes: number;
  /** Wall-clock budget for hashing, ms. */
  hashMs: number;
}

export const DEFAULT_AUDIT_BOUNDS: AuditBounds = { maxFiles: 100_000, maxHashBytes: 1024 * 1048576, hashMs: 20_000 };

/**
 * Every regular file under `dir`, depth first in name order, at most `maxFiles`. The directory reads
 * and stats run on libuv's thread pool: a server audits every task it runs (ADR 0035).
 */
async function listFiles(dir: string, maxFiles: number, prefix: string): Promise<Array<{ abs: string; path: string; size: number; allocated: number }>> {
  const out: Array<{ abs: string; path: string; size: number; allocated: number }> = [];
  const stack: Array<[string, string]> = [[dir, '']];
  while (stack.length && out.length < maxFiles) {
    const [abs, rel] = stack.pop()!;
    let names: string[];
    try {
      names = (await readdir(abs)).sort().reverse();
    } catch {
      continue;
    }
    const files: typeof out = [];
    for (const name of names) {
      const p = join(abs, name);
      let st: Stats;
      try {
        st = await lstat(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) stack.push([p, `${rel}/${name}`]);
      else if (st.isFile()) files.push({ abs: p, path: `${prefix}${rel}/${name}`, size: st.size, allocated: st.blocks * 512 });
    }
    out.push(...files.reverse());
  }
  return out.slice(0, maxFiles).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Every regular file under `dir`, as /out/<relative path>, sorted, with apparent size, allocated
 * bytes and sha256 (bounded: see AuditBounds).
 */
export async function auditOutDir(dir: string, prefix = '/out', bounds: AuditBounds = DEFAULT_AUDIT_BOUNDS): Promise<WriteRecord[]> {
  const deadline = Date.now() + bounds.hashMs;
  let hashed = 0;
  const records: WriteRecord[] = [];
  for (const f of await listFiles(dir, bounds.maxFiles, prefix)) {
    const within = hashed + f.size <= bounds.maxHashBytes && Date.now() < deadline;
    if (within) hashed += f.size;
    records.push({ path: f.path, size: f.size, allocated: f.allocated, sha256: within ? await sha256File(f.abs, deadline) : null });
  }
  return records;
}

/** What /out holds right now: allocated bytes and file count, stopping early past the bounds. */
export function measureDir(dir: string, maxEntries: number): { allocated: number; entries: number } {
  let allocated = 0;
  let entries = 0;
  const stack = [dir];
  while (stack.length && entries <= maxEntries) {
    const d = stack.pop()!;
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const name of names) {
      if (++entries > maxEntries) break;
      try {
        const st = lstatSync(join(d, name));
        allocated += st.blocks * 512;
        if (st.isDirectory()) stack.push(join(d, name));
      } catch {
        /* gone meanwhile */
      }
    }
  }
  return { allocated, entries };
}

/**
 * Workspace-relative paths of sockets, FIFOs and device nodes under `dir` (from directory entry types,
 * no stat per file); `truncated` when more than `maxEntries` entries were seen.
 */
export function findSpecialFiles(dir: string, maxEntries: number): { paths: string[]; truncated: boolean } {
  const paths: string[] = [];
  let seen = 0;
  const stack: Array<[string, string]> = [[dir, '']];
  while (stack.length) {
    const [abs, rel] = stack.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (++seen > maxEntries) return { paths, truncated: true };
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) stack.push([join(abs, e.name), r]);
      else if (e.isSocket() || e.isFIFO() || e.isCharacterDevice() || e.isBlockDevice()) paths.push(r);
    }
  }
  return { paths: paths.sort(), truncated: false };
}

/** Bytes billed as written: the allocated bytes, never more than the apparent size (sparse files). */
export function bytesOf(writes: WriteRecord[]): number {
  return writes.reduce((n, w) => n + Math.min(w.size, w.allocated ?? w.size), 0);
}

export const emptyUsage = (wallSec: number): TaskUsage => ({ cpuSec: null, peakRssMB: null, wallSec, bytesWritten: 0 });
