/**
 * `--direct` mode of the cost bench: runs each task through the runner's sandbox primitive
 * (runSandboxed: bwrap + seccomp + GNU time) without `maestro run`, level by level of the DAG, and
 * builds the same execution record the runner writes. For use before `maestro run` exists, and to
 * measure the estimator apart from scheduling. Loaded dynamically so the bench compiles on its own.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionRecordLike } from '../../src/cost/index.js';
import type { LoadedManifest, TaskSpec } from '../../src/manifest/manifest.types.js';

interface Outcome {
  exitCode: number | null;
  usage: { cpuSec: number | null; peakRssMB: number | null; wallSec: number; bytesWritten: number };
}
type RunSandboxed = (spec: Record<string, unknown>, io: { line(stream: string, line: string): void }) => Promise<Outcome>;

let runner: RunSandboxed | undefined;

async function load(): Promise<RunSandboxed> {
  const path = '../../src/runner/sandbox.js';
  runner ??= ((await import(path)) as { runSandboxed: RunSandboxed }).runSandboxed;
  return runner;
}

/** Run a loaded manifest task by task in its own temp dirs; returns the execution record. */
export async function runDirect(id: string, loaded: LoadedManifest): Promise<ExecutionRecordLike> {
  const run = await load();
  const base = mkdtempSync(join(tmpdir(), 'mc-cost-direct-'));
  // The first sandbox start generates the runtime /etc; then mirror /etc/alternatives into it.
  await run(
    {
      command: 'true',
      outDir: join(base, 'init'),
      env: {},
      network: false,
      resources: { memoryMB: 64, pids: 16, tmpMB: 1, timeoutSec: 10 },
      mode: 'bwrap',
      runtimeDir: join(base, 'runtime'),
    },
    { line: () => undefined },
  );
  mirrorAlternatives(join(base, 'runtime', 'etc', 'alternatives'));
  const tasks = loaded.manifest.spec.tasks;
  const done = new Map<string, ExecutionRecordLike['tasks'][number]>();
  while (done.size < tasks.length) {
    const ready = tasks.filter((t) => !done.has(t.id) && t.needs.every((n) => done.has(n)));
    if (ready.length === 0) break;
    const outcomes = await Promise.all(ready.map((t) => runTask(run, t, loaded, base)));
    for (const [i, t] of ready.entries()) done.set(t.id, outcomes[i]!);
  }
  const list = tasks.map((t) => done.get(t.id) ?? { id: t.id, status: 'skipped', usage: null });
  return { id, status: list.every((t) => t.status === 'succeeded') ? 'succeeded' : 'failed', finishedAt: new Date().toISOString(), tasks: list };
}

async function runTask(run: RunSandboxed, t: TaskSpec, loaded: LoadedManifest, base: string): Promise<ExecutionRecordLike['tasks'][number]> {
  const r = t.resources;
  const o = await run(
    {
      command: t.run,
      ...(loaded.manifest.spec.workspace ? { workspace: loaded.manifest.spec.workspace } : {}),
      outDir: join(base, 'out', t.id),
      env: t.env,
      network: false,
      resources: { memoryMB: r.memoryMB, pids: r.pids, tmpMB: r.tmpMB, timeoutSec: r.timeoutSec },
      mode: 'bwrap',
      runtimeDir: join(base, 'runtime'),
    },
    { line: () => undefined },
  );
  return { id: t.id, status: o.exitCode === 0 ? 'succeeded' : 'failed', usage: o.usage };
}

// Debian's /usr/bin/awk is a link through /etc/alternatives; the sandbox's generated /etc lacks it, so mirror it.
function mirrorAlternatives(dir: string): void {
  if (!existsSync('/etc/alternatives')) return;
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync('/etc/alternatives')) {
    try {
      symlinkSync(readlinkSync(join('/etc/alternatives', name)), join(dir, name));
    } catch {
      // not a link (or already there): skip
    }
  }
}
