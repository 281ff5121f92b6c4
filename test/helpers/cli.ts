/** Spawn the real CLI (bin/run.js, built dist/) against a temporary state home. */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'run.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  // biome-ignore lint/suspicious/noExplicitAny: parsed CLI output; tests navigate it freely and their assertions check the shape (pass T to have it type-checked)
  json<T = any>(): T;
}

/** A fresh state home directory (removed by `cleanup`). */
export function tempHome(prefix = 'maestro-test-'): { home: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // Retried: a detached worker may still be closing files in the home for a moment.
  return { home: join(dir, 'home'), cleanup: () => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }) };
}

/** Run `maestro <args>` with MAESTRO_HOME=home; env adds to a minimal, CI-like environment. */
export function maestro(home: string, args: string[], env: Record<string, string | undefined> = {}, input?: string): CliResult {
  const res: SpawnSyncReturns<string> = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input,
    timeout: 60_000,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      USER: 'tester',
      MAESTRO_HOME: home,
      NO_COLOR: '1',
      ...env,
    } as NodeJS.ProcessEnv,
  });
  return {
    code: res.status ?? -1,
    stdout: res.stdout ?? '',
    stderr: res.stderr ?? '',
    json() {
      try {
        return JSON.parse(res.stdout);
      } catch {
        throw new Error(`stdout is not JSON:\n${res.stdout}\nstderr:\n${res.stderr}`);
      }
    },
  };
}
