/** Helpers for the runner's end-to-end tests: manifests in temp dirs, async CLI runs, waiting. */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, type CliResult, ROOT } from '../helpers/cli.js';

export interface TaskDef {
  id: string;
  run: string;
  needs?: string[];
  timeoutSec?: number;
  env?: Record<string, string>;
}

/** Writes a manifest (and a world-readable workspace with one file) into `dir`; returns its path. */
export function writeManifest(dir: string, name: string, tasks: TaskDef[]): string {
  mkdirSync(join(dir, 'ws'), { recursive: true });
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'ws'), 0o755);
  writeFileSync(join(dir, 'ws', 'input.txt'), 'alpha\nbeta\n');
  const lines = [
    'apiVersion: maestro/v1',
    'kind: Workflow',
    `metadata: { name: ${name} }`,
    'spec:',
    '  region: US',
    '  resourceClass: small',
    '  workspace: ./ws',
    '  tasks:',
  ];
  for (const t of tasks) {
    lines.push(`    - id: ${t.id}`, '      uses: shell', `      run: ${JSON.stringify(t.run)}`);
    if (t.needs) lines.push(`      needs: [${t.needs.join(', ')}]`);
    if (t.env) lines.push(`      env: ${JSON.stringify(t.env)}`);
    lines.push(`      resources: { cpu: 1, memoryMB: 256, timeoutSec: ${t.timeoutSec ?? 30} }`);
  }
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** `maestro <args>` as a child process that does not block the test (for parallel runs). */
export function maestroAsync(
  home: string,
  args: string[],
  env: Record<string, string> = {},
): { pid: number; done: Promise<CliResult>; kill(sig: NodeJS.Signals): void } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, USER: 'tester', MAESTRO_HOME: home, NO_COLOR: '1', ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, json: () => JSON.parse(stdout) })));
  return { pid: child.pid!, done, kill: (sig) => child.kill(sig) };
}

/** Polls `check` until it returns a value (or throws after `ms`). */
export async function waitFor<T>(check: () => T | undefined | false, ms = 15_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** True while `pid` runs (a zombie, exited but not yet reaped, counts as gone). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Processes whose command line contains `marker` (to prove sandboxes are gone). */
export function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(marker)) pids.push(Number(name));
    } catch {
      /* exited */
    }
  }
  return pids;
}
