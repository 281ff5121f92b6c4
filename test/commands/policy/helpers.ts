import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../../..');
export const fixtures = join(repoRoot, 'fixtures/policy');
const bin = join(repoRoot, 'bin/run.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the built CLI (`npm run build` first) with a temp MAESTRO_HOME, from `cwd` (default: the policy fixtures). */
export function maestro(args: string[], opts: { cwd?: string; stdin?: string } = {}): CliResult {
  const home = mkdtempSync(join(tmpdir(), 'mh-policy-'));
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: opts.cwd ?? fixtures,
    env: { ...process.env, MAESTRO_HOME: home, NO_COLOR: '1', MAESTRO_DEBUG: '' },
    encoding: 'utf8',
    input: opts.stdin ?? '',
    timeout: 20_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** stdout parsed as JSON, with the raw text kept for exact-text checks. */
// biome-ignore lint/suspicious/noExplicitAny: parsed CLI output; tests navigate it freely and their assertions check the shape (pass T to have it type-checked)
export function json<T = any>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}
