/** Spawn the built CLI (building it first, under the shared lock, when dist/ is stale). */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve('.');
const BIN = join(ROOT, 'bin/run.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

/** Build unless dist/ already holds the manifest commands newer than their sources. */
export function ensureBuilt(): void {
  const built = join(ROOT, 'dist/commands/manifest/validate.js');
  const sources = Math.max(newestMtime(join(ROOT, 'src/manifest')), newestMtime(join(ROOT, 'commands/manifest')));
  if (existsSync(built) && statSync(built).mtimeMs >= sources && existsSync(join(ROOT, 'oclif.manifest.json'))) return;
  execFileSync('flock', ['/tmp/build.lock', 'npm', 'run', 'build'], { cwd: ROOT, stdio: 'ignore' });
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run `maestro <args>` in `cwd` with a fresh MAESTRO_HOME and colour off. */
export function maestro(args: string[], cwd = ROOT): RunResult {
  const home = mkdtempSync(join(tmpdir(), 'maestro-home-'));
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, MAESTRO_HOME: home, NO_COLOR: '1', MAESTRO_DEBUG: '' },
    timeout: 15_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
