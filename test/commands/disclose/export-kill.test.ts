/**
 * Real SIGKILLs during `maestro disclose export` (issue 16 item 3): each kill leaves its temp file
 * beside the output; the next export of that output removes it and writes a pack that verifies.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureContext, makeExecution } from '../../receipts/fixtures.js';
import { ensureBuild, maestro, ROOT } from './cli.js';

const ID = 'ex_01jf8z6v3k9q2w7e5r4t1y0u8i';
let home: string;
const temps = (dir: string) => readdirSync(dir).filter((n) => /^\.pack\.zip\.\d+\..+\.tmp$/.test(n));

beforeAll(() => {
  ensureBuild();
  home = mkdtempSync(join(tmpdir(), 'mh-kill-'));
  expect(maestro(['init', '--json'], { home }).status).toBe(0);
  // Incompressible outputs so that the zip pass takes long enough to be killed in the middle.
  makeExecution(fixtureContext(home), {
    tasks: [{ id: 'build', lines: 10, outputs: { 'a.bin': randomBytes(48 * 1024 * 1024), 'b.bin': randomBytes(48 * 1024 * 1024) } }],
  });
}, 120_000);

describe('killed exports leave no temp files behind for good', () => {
  it('each SIGKILL mid-write leaves its temp; the next export sweeps the dead ones, and its pack verifies', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kill-out-'));
    for (let k = 0; k < 3; k++) {
      const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'disclose', 'export', ID, '-o', join(out, 'pack.zip')], {
        cwd: home,
        env: { PATH: process.env.PATH ?? '', HOME: home, MAESTRO_HOME: home, NO_COLOR: '1' },
        stdio: 'ignore',
      });
      const exited = new Promise((r) => child.once('exit', r));
      const deadline = Date.now() + 60_000;
      const mine = () => temps(out).filter((n) => n.startsWith(`.pack.zip.${child.pid}.`));
      while (mine().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      child.kill('SIGKILL');
      await exited;
      // The kill landed while this export's temp file was being written; the earlier kills' temps were
      // swept when this export started.
      expect(temps(out)).toEqual(mine());
      expect(mine()).toHaveLength(1);
    }
    expect(existsSync(join(out, 'pack.zip'))).toBe(false);
    const e = maestro(['disclose', 'export', ID, '-o', join(out, 'pack.zip'), '--json'], { home });
    expect(e.status).toBe(0);
    expect(temps(out)).toEqual([]);
    expect(maestro(['disclose', 'verify', join(out, 'pack.zip'), '--json'], { home }).status).toBe(0);
  }, 180_000);
});
