/**
 * Runner benchmarks (run after `npm run build`: node dist/bench/runner/bench.js [tasks] [executions]):
 *  1. sandbox start overhead: median wall time of `true` under the full sandbox (bwrap + seccomp +
 *     setpriv + prlimit + GNU time + audit) over N tasks, as a ratio to spawning `true` directly;
 *  2. E concurrent tiny executions through the real pipeline (publish with atomic admission, DAG,
 *     sandbox, store): p50/p95 of publish→start and of publish→finish.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContext } from '../../src/core/context.js';
import { runManifest } from '../../src/runner/execute.js';
import { runSandboxed } from '../../src/runner/sandbox.js';
import { openSession, tenantsSet } from '../../src/tenancy/index.js';

const N = Number(process.argv[2] ?? 50);
const E = Number(process.argv[3] ?? 200);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

function spawnTrue(): Promise<number> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const c = spawn('true', [], { stdio: 'ignore' });
    c.on('error', reject);
    c.on('close', () => resolve(Number(process.hrtime.bigint() - t0) / 1e6));
  });
}

async function sandboxTrue(root: string, i: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  await runSandboxed(
    {
      command: 'true',
      outDir: join(root, `o${i}`),
      env: {},
      network: false,
      mode: 'bwrap',
      runtimeDir: join(root, 'rt'),
      resources: { memoryMB: 256, pids: 64, tmpMB: 16, timeoutSec: 30 },
    },
    { line: () => undefined },
  );
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function startOverhead(root: string): Promise<string> {
  await sandboxTrue(root, -1); // warm: writes /etc and the seccomp program once
  const direct: number[] = [];
  const boxed: number[] = [];
  for (let i = 0; i < N; i++) {
    direct.push(await spawnTrue());
    boxed.push(await sandboxTrue(root, i));
  }
  const d = pct(direct, 50);
  const b = pct(boxed, 50);
  return [
    `## Sandbox start overhead (${N} sequential tasks running \`true\`)`,
    '',
    '| | median ms | p95 ms |',
    '|---|---|---|',
    `| spawn \`true\` directly | ${d.toFixed(2)} | ${pct(direct, 95).toFixed(2)} |`,
    `| full sandbox | ${b.toFixed(2)} | ${pct(boxed, 95).toFixed(2)} |`,
    '',
    `**Ratio (median sandboxed / median direct): ${(b / d).toFixed(1)}x** (+${(b - d).toFixed(1)} ms per task)`,
  ].join('\n');
}

async function concurrentExecutions(root: string): Promise<string> {
  const home = join(root, 'home');
  const ctx = createContext({ env: { ...process.env, MAESTRO_HOME: home, MAESTRO_PARALLEL: '1' }, home });
  const session = await openSession(ctx);
  await tenantsSet(session, 'default', { maxConcurrent: String(E * 2) });
  const s2 = await openSession(ctx);
  const ws = join(root, 'ws');
  mkdirSync(ws, { recursive: true });
  chmodSync(root, 0o755);
  const manifest = join(root, 'tiny.yaml');
  writeFileSync(
    manifest,
    'apiVersion: maestro/v1\nkind: Workflow\nmetadata: { name: tiny }\nspec:\n  region: US\n  resourceClass: small\n  tasks:\n    - id: t\n      uses: shell\n      run: echo hi\n      resources: { cpu: 1, memoryMB: 128, timeoutSec: 60 }\n',
  );
  const t0 = Date.now();
  const results = await Promise.all(Array.from({ length: E }, () => runManifest(s2, { manifestPath: manifest, sandbox: 'bwrap' })));
  const wall = (Date.now() - t0) / 1000;
  const ms = (a: string | null, b: string | null) => Date.parse(b!) - Date.parse(a!);
  const startLag = results.map((r) => ms(r.record.publishedAt, r.record.startedAt));
  const endLag = results.map((r) => ms(r.record.publishedAt, r.record.finishedAt));
  const ok = results.filter((r) => r.record.status === 'succeeded').length;
  session.close();
  s2.close();
  return [
    `## ${E} concurrent tiny executions (one process, real pipeline: publish + atomic admission + sandbox + store)`,
    '',
    `succeeded: ${ok}/${E}; wall ${wall.toFixed(1)} s (${(E / wall).toFixed(1)} executions/s on ${cpus().length} CPUs)`,
    '',
    '| | p50 ms | p95 ms | max ms |',
    '|---|---|---|---|',
    `| publish → start | ${pct(startLag, 50)} | ${pct(startLag, 95)} | ${Math.max(...startLag)} |`,
    `| publish → finish | ${pct(endLag, 50)} | ${pct(endLag, 95)} | ${Math.max(...endLag)} |`,
  ].join('\n');
}

const root = mkdtempSync(join(tmpdir(), 'maestro-bench-runner-'));
try {
  console.log(`# Runner benchmark\n\nnode ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${new Date().toISOString()}\n`);
  console.log(await startOverhead(root));
  console.log('');
  console.log(await concurrentExecutions(root));
} finally {
  rmSync(root, { recursive: true, force: true });
}
