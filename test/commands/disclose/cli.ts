/** Test helper: run the real CLI (node bin/run.js) with a state home; build once under the shared lock. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
let built = false;

/** Build dist/ once per test process (under /tmp/build.lock, as the brief asks). */
export function ensureBuild(): void {
  if (built || isFresh()) return;
  const r = spawnSync('flock', ['/tmp/build.lock', 'npm', 'run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (!existsSync(join(ROOT, 'dist', 'commands', 'disclose', 'verify.js'))) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
  built = true;
}

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function maestro(args: string[], opts: { home: string; cwd?: string; env?: Record<string, string> }): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], {
    cwd: opts.cwd ?? opts.home,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: opts.home, MAESTRO_HOME: opts.home, NO_COLOR: '1', ...opts.env },
    timeout: 60_000,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

// dist is fresh when every TypeScript file of this area is older than its compiled .js.
function isFresh(): boolean {
  const dirs = ['src/receipts', 'src/disclose', 'commands/keys', 'commands/disclose', 'src/cli'];
  for (const d of dirs) {
    for (const f of readdirSync(join(ROOT, d)).filter((x) => x.endsWith('.ts'))) {
      const js = join(ROOT, 'dist', d, f.replace(/\.ts$/, '.js'));
      if (!existsSync(js) || statSync(js).mtimeMs < statSync(join(ROOT, d, f)).mtimeMs) return false;
    }
  }
  return existsSync(join(ROOT, 'oclif.manifest.json'));
}

/** Like maestro(), without blocking the event loop (for servers running inside the test process). */
export function maestroAsync(args: string[], opts: { home: string; cwd?: string; env?: Record<string, string> }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], {
      cwd: opts.cwd ?? opts.home,
      env: { PATH: process.env.PATH ?? '', HOME: opts.home, MAESTRO_HOME: opts.home, NO_COLOR: '1', ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}
