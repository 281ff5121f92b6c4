/**
 * Temp files name their writer by pid and start time (core/proc): a sweep removes a killed writer's
 * temp even after its pid was reused by a live process, and keeps a live writer's temp. Found by the
 * crash torture on a host with pid_max 32,768: a log temp of a killed `maestro` stayed because its pid
 * belonged to another process by the time recovery looked.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SWEPT_DIRS_MAX, sweepDeadTemps, TEMP_WRITER, tempNameFor, writeFileAtomicSync } from '../../src/core/files.js';
import { processStartTime, writerAlive, writerTag } from '../../src/core/proc.js';
import { EVIDENCE_DIR_PREFIX, sweepStaleEvidenceDirs, sweepStaleTemps } from '../../src/disclose/index.js';
import { cleanTempFiles } from '../../src/runner/index.js';

const live = spawn('sleep', ['60'], { stdio: 'ignore' });
afterAll(() => live.kill('SIGKILL'));
const hasProc = processStartTime(process.pid) !== null;
if (!hasProc) console.warn('writer tags: skipped, this host has no /proc/<pid>/stat (start times are unknown)');

describe.skipIf(!hasProc)('writer tags in temp file names', () => {
  it('names this process by pid and start time, and parses back', () => {
    const start = processStartTime(process.pid)!;
    expect(writerTag()).toBe(`${process.pid}.${start}`);
    const m = TEMP_WRITER.exec(tempNameFor('/x/logs/b.ndjson'));
    expect(m?.[1]).toBe(String(process.pid));
    expect(m?.[2]).toBe(start);
    // Older names (a pid alone) still parse.
    expect(TEMP_WRITER.exec('execution.json.4483-2.tmp')?.slice(1, 3)).toEqual(['4483', undefined]);
    expect(TEMP_WRITER.exec('execution.json.4483.tmp')?.slice(1, 3)).toEqual(['4483', undefined]);
  });

  it('a live pid with another start time is a reused pid: its writer is gone', () => {
    const pid = live.pid!;
    const start = processStartTime(pid)!;
    expect(writerAlive(pid, start)).toBe(true);
    expect(writerAlive(pid, `${Number(start) + 1}`)).toBe(false);
    expect(writerAlive(pid, undefined)).toBe(true); // an old name (pid only): trusted as before
  });

  it('recovery sweeps a reused-pid temp from an execution directory and keeps a live writer’s', () => {
    const dir = mkdtempSync(join(tmpdir(), 'proc-ex-'));
    mkdirSync(join(dir, 'logs'));
    const pid = live.pid!;
    const start = processStartTime(pid)!;
    const reused = `b.ndjson.${pid}.${Number(start) - 7}-2.tmp`;
    const writing = `a.ndjson.${pid}.${start}-1.tmp`;
    for (const n of [reused, writing, 'b.ndjson']) writeFileSync(join(dir, 'logs', n), 'x');
    expect(cleanTempFiles(dir)).toEqual([`logs/${reused}`]);
    expect(readdirSync(join(dir, 'logs')).sort()).toEqual(['b.ndjson', writing].sort());
    // The execution's directory is maestro's alone: an unnamed temp goes too; this process's own stays.
    const own = tempNameFor(join(dir, 'execution.json')).slice(dir.length + 1);
    for (const n of ['receipt.sigstore.json.tmp', own]) writeFileSync(join(dir, n), 'x');
    expect(cleanTempFiles(dir)).toEqual(['receipt.sigstore.json.tmp']);
    expect(readdirSync(dir)).toContain(own);
  });

  it('an export’s sweep removes reused-pid pack and upload temps and keeps live ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'proc-pack-'));
    const pid = live.pid!;
    const start = processStartTime(pid)!;
    const uuid = '00000000-0000-4000-8000-000000000002';
    const names = [
      `.pack.zip.${pid}.${Number(start) + 3}.${uuid}.tmp`,
      `pack.zip.upload.json.${pid}.${Number(start) + 3}.tmp`,
      `.pack.zip.${pid}.${start}.${uuid}.tmp`,
      `pack.zip.upload.json.${pid}.${start}.tmp`,
    ];
    for (const n of names) writeFileSync(join(dir, n), 'x');
    expect(
      sweepStaleTemps(join(dir, 'pack.zip'))
        .map((p) => p.slice(dir.length + 1))
        .sort(),
    ).toEqual(names.slice(0, 2).sort());
    expect(readdirSync(dir).sort()).toEqual(names.slice(2).sort());
  });

  it('an export removes the evidence directories killed exports left in the state home, not a live one’s', () => {
    const home = mkdtempSync(join(tmpdir(), 'proc-home-'));
    const pid = live.pid!;
    const start = processStartTime(pid)!;
    const dead = `${EVIDENCE_DIR_PREFIX}${pid}.${Number(start) + 5}-Ab12Cd`; // the pid reused since
    const alive = `${EVIDENCE_DIR_PREFIX}${pid}.${start}-Xy34Zw`;
    const oldUntagged = `${EVIDENCE_DIR_PREFIX}q1w2e3`;
    const newUntagged = `${EVIDENCE_DIR_PREFIX}r4t5y6`;
    for (const d of [dead, alive, oldUntagged, newUntagged]) {
      mkdirSync(join(home, d, 'logs'), { recursive: true });
      writeFileSync(join(home, d, 'logs', `a.ndjson.${pid}.${start}-1.tmp`), 'x');
    }
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    utimesSync(join(home, oldUntagged), twoDaysAgo, twoDaysAgo);
    expect(
      sweepStaleEvidenceDirs(home)
        .map((p) => p.slice(home.length + 1))
        .sort(),
    ).toEqual([dead, oldUntagged].sort());
    expect(readdirSync(home).sort()).toEqual([alive, newUntagged].sort());
  });

  it('a synchronous atomic write first sweeps its directory of dead writers’ temps, and leaves no temp itself', () => {
    const dir = mkdtempSync(join(tmpdir(), 'proc-sync-'));
    const pid = live.pid!;
    const start = processStartTime(pid)!;
    const dead = `token.${pid}.${Number(start) + 9}-4.tmp`; // a killed writer's, its pid reused since
    const writing = `token.${pid}.${start}-2.tmp`; // a live writer's, mid-write
    const legacy = `notes.${pid + 1}.tmp`; // not a name this code makes: maybe the user's
    for (const n of [dead, writing, legacy]) writeFileSync(join(dir, n), 'x');
    const old = process.umask(0o022);
    try {
      writeFileAtomicSync(join(dir, 'token'), 'secret\n', { mode: 0o600 });
    } finally {
      process.umask(old);
    }
    expect(readFileSync(join(dir, 'token'), 'utf8')).toBe('secret\n');
    expect(statSync(join(dir, 'token')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual([legacy, 'token', writing].sort());
    // Swept once per directory and process; a direct sweep now finds nothing more to remove.
    expect(sweepDeadTemps(dir)).toEqual([]);
  });

  it('remembers at most SWEPT_DIRS_MAX swept directories, then sweeps a directory again', () => {
    const base = mkdtempSync(join(tmpdir(), 'proc-many-'));
    const first = join(base, 'd0');
    mkdirSync(first);
    writeFileAtomicSync(join(first, 'f'), 'a');
    const pid = live.pid!;
    const dead = `f.${pid}.${Number(processStartTime(pid)!) + 1}-1.tmp`;
    writeFileSync(join(first, dead), 'x');
    writeFileAtomicSync(join(first, 'f'), 'b'); // remembered as swept: the dead temp stays
    expect(readdirSync(first)).toContain(dead);
    for (let i = 1; i <= SWEPT_DIRS_MAX; i++) {
      mkdirSync(join(base, `d${i}`));
      writeFileAtomicSync(join(base, `d${i}`, 'f'), 'c');
    }
    writeFileAtomicSync(join(first, 'f'), 'd'); // forgotten past the bound: swept again
    expect(readdirSync(first)).toEqual(['f']);
  });
});
