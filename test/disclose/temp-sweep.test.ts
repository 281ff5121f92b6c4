/** Temp files of killed exports (issue 16 item 3): found by pid, swept by the next export of that output. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processAlive, sweepStaleTemps } from '../../src/disclose/index.js';

const until = async (f: () => boolean, ms = 5000) => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) if (f()) return true;
  return false;
};

describe('sweepStaleTemps', () => {
  it('removes temps of dead and zombie pids, keeps live ones and other files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-'));
    const out = join(dir, 'pack.zip');
    // A zombie: a child of `sleep 30` (which never reaps) that exits at once.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const zombie = Number(await new Promise<string>((r) => parent.stdout.once('data', (d: Buffer) => r(d.toString().trim()))));
    expect(await until(() => !processAlive(zombie))).toBe(true);
    const dead = spawn('true');
    await new Promise((r) => dead.once('exit', r));
    const live = parent.pid!;
    const uuid = '00000000-0000-4000-8000-000000000001';
    const names = [
      `.pack.zip.${zombie}.${uuid}.tmp`,
      `.pack.zip.${dead.pid}.${uuid}.tmp`,
      `pack.zip.upload.json.${dead.pid}.tmp`,
      `pack.zip.upload.json.${live}.tmp`,
      `.pack.zip.${live}.${uuid}.tmp`,
      `.pack.zip.${process.pid}.${uuid}.tmp`,
      `.other.zip.${dead.pid}.${uuid}.tmp`,
      'pack.zip',
    ];
    for (const n of names) writeFileSync(join(dir, n), 'x');
    try {
      expect(processAlive(live)).toBe(true);
      expect(
        sweepStaleTemps(out)
          .map((p) => p.slice(dir.length + 1))
          .sort(),
      ).toEqual([names[0], names[1], names[2]].sort());
      expect(readdirSync(dir).sort()).toEqual(names.slice(3).sort());
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
