/** Writes audit: what a task left under /tmp (reported from inside) and /out (hashed on the host). */
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskUsage, WriteRecord } from './sandbox.types.js';

export interface Report {
  cpuSec: number | null;
  peakRssMB: number | null;
  tmpWrites: WriteRecord[];
}

/**
 * Parses the wrapper's fd-4 report: an optional `time <wall> <user> <sys> <maxrssKB>` line, an
 * `audit` line, then NUL-terminated `size\tsha256\tpath` records.
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
  for (const rec of text.slice(at + 6).split('\0')) {
    const m = /^(\d+)\t([0-9a-f]{64}|-)\t(\/tmp\/.*)$/s.exec(rec);
    if (m) report.tmpWrites.push({ path: m[3]!, size: Number(m[1]), sha256: m[2] === '-' ? null : m[2]! });
  }
  report.tmpWrites.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return report;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

async function sha256File(path: string): Promise<string | null> {
  try {
    const h = createHash('sha256');
    for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
    return h.digest('hex');
  } catch {
    return null;
  }
}

/** Every regular file under `dir`, as /out/<relative path>, sorted, with size and sha256. */
export async function auditOutDir(dir: string, prefix = '/out'): Promise<WriteRecord[]> {
  const records: WriteRecord[] = [];
  const walk = async (abs: string, rel: string): Promise<void> => {
    let names: string[];
    try {
      names = readdirSync(abs).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(abs, name);
      const st = lstatSync(p);
      if (st.isDirectory()) await walk(p, `${rel}/${name}`);
      else if (st.isFile()) records.push({ path: `${prefix}${rel}/${name}`, size: st.size, sha256: await sha256File(p) });
    }
  };
  await walk(dir, '');
  return records;
}

/** Total bytes of the audited files. */
export function bytesOf(writes: WriteRecord[]): number {
  return writes.reduce((n, w) => n + w.size, 0);
}

export const emptyUsage = (wallSec: number): TaskUsage => ({ cpuSec: null, peakRssMB: null, wallSec, bytesWritten: 0 });
