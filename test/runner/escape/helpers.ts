/**
 * Shared set-up for the escape tests: compile the probe with cc, run it inside a real bwrap sandbox
 * and, as the control, directly on the host. With MAESTRO_REQUIRE_SANDBOX=1 a missing bwrap or cc fails
 * the suite instead of skipping it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBwrap, findPerl, runSandboxed } from '../../../src/runner/sandbox.js';
import type { SandboxResources, SandboxSpec, TaskOutcome } from '../../../src/runner/sandbox.types.js';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface Probe {
  root: string;
  workspace: string;
  probe: string;
  cleanup(): void;
}

function hasCc(): boolean {
  return spawnSync('cc', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Why the suite cannot run here, or null when it can. Throws when MAESTRO_REQUIRE_SANDBOX=1. */
export function unavailableReason(): string | null {
  const reason = !findBwrap()
    ? 'bwrap is not installed (apt-get install -y bubblewrap)'
    : !findPerl()
      ? 'perl is not installed (apt-get install -y perl-base): it launches the sandbox'
      : !hasCc()
        ? 'no C compiler (cc) to build the probe'
        : null;
  if (reason && process.env.MAESTRO_REQUIRE_SANDBOX === '1') throw new Error(`MAESTRO_REQUIRE_SANDBOX=1 but ${reason}`);
  return reason;
}

/** Compiles probe.c into a fresh world-readable workspace. */
export function buildProbe(): Probe {
  const root = mkdtempSync(join(tmpdir(), 'maestro-escape-'));
  chmodSync(root, 0o755);
  const workspace = join(root, 'ws');
  mkdirSync(workspace, { mode: 0o755 });
  const probe = join(workspace, 'probe');
  const cc = spawnSync('cc', ['-O1', '-o', probe, join(HERE, 'probe.c')], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`cc failed: ${cc.stderr}`);
  return { root, workspace, probe, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export interface Run {
  outcome: TaskOutcome;
  stdout: string;
  stderr: string;
}

let seq = 0;

/** Runs a shell command in a real sandbox with the probe's workspace at /workspace. */
export async function inSandbox(
  p: Probe,
  command: string,
  resources: Partial<SandboxResources> = {},
  network = false,
  extra: Partial<SandboxSpec> = {},
): Promise<Run> {
  const out: Record<'stdout' | 'stderr', string[]> = { stdout: [], stderr: [] };
  const outcome = await runSandboxed(
    {
      command,
      workspace: p.workspace,
      outDir: join(p.root, `out-${++seq}`),
      env: {},
      network,
      resources: { memoryMB: 256, pids: 64, tmpMB: 16, timeoutSec: 15, ...resources },
      mode: 'bwrap',
      runtimeDir: join(p.root, 'runtime'),
      ...extra,
    },
    { line: (s, l) => void out[s].push(l) },
  );
  return { outcome, stdout: out.stdout.join('\n'), stderr: out.stderr.join('\n') };
}

/** The control: the same probe operation run directly on the host. */
export function onHost(p: Probe, args: string[]): string {
  const r = spawnSync(p.probe, args, { encoding: 'utf8', timeout: 15_000 });
  return `${r.stdout}${r.stderr}`.trim();
}

/** The control for mount-like operations: the probe in a private mount namespace, so the host's view never changes. */
export function onHostPrivateMounts(p: Probe, args: string[]): string {
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', p.probe, ...args], { encoding: 'utf8', timeout: 15_000 });
  return `${r.stdout}${r.stderr}`.trim();
}
