/**
 * The real OPA as a test oracle (never a runtime dependency): $OPA_BIN, else `opa` on PATH, else
 * /root/go/bin/opa (where `go install github.com/open-policy-agent/opa@v1.22.3` puts it).
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function locate(): string | undefined {
  const candidates = [process.env.OPA_BIN, 'opa', '/root/go/bin/opa'].filter((c): c is string => c !== undefined && c !== '');
  for (const c of candidates) {
    if (c.includes('/') && !existsSync(c)) continue;
    if (spawnSync(c, ['version'], { encoding: 'utf8' }).status === 0) return c;
  }
  return undefined;
}

/** The opa binary, or undefined (then `skipReason` says why). */
export const opaBin = locate();
export const skipReason =
  opaBin === undefined
    ? 'no OPA found ($OPA_BIN, `opa` on PATH, /root/go/bin/opa); CI installs it with `go install github.com/open-policy-agent/opa@v1.22.3`'
    : '';

/** Print once per suite why it skips. */
export function noteSkip(suite: string): void {
  if (opaBin === undefined) console.log(`[${suite}] skipping the tests against the real OPA: ${skipReason}`);
}

/** Run opa with arguments. */
export function opa(args: readonly string[], opts: { cwd?: string; input?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(opaBin!, args, { encoding: 'utf8', cwd: opts.cwd, input: opts.input, maxBuffer: 64 * 1024 * 1024 });
}

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(repoRoot, 'bin', 'run.js');

/** Run the real maestro CLI (built dist/) with a temp MAESTRO_HOME. */
export function maestro(args: readonly string[], opts: { cwd?: string; home: string; input?: string }): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    cwd: opts.cwd ?? repoRoot,
    input: opts.input,
    env: { ...process.env, MAESTRO_HOME: opts.home, NO_COLOR: '1', FORCE_COLOR: '0' },
    maxBuffer: 64 * 1024 * 1024,
  });
}
