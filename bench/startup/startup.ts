/**
 * bench/startup: cold-start cost of the CLI as shell scripts see it.
 * Median and p95 of 20 cold runs of `maestro whoami --json` (bundled, ADR 0025, and with
 * MAESTRO_NO_BUNDLE=1), beside `node -e 0` measured in the same run; prints the load average too.
 * Run: npm run build && node dist/bench/startup/startup.js [runs]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 20);
const root = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');
const bin = join(root, 'bin', 'run.js');
const home = mkdtempSync(join(tmpdir(), 'mc-bench-startup-'));
const env = { ...process.env, MAESTRO_HOME: join(home, 'h'), NO_COLOR: '1' };

function time(args: string[], extra: Record<string, string> = {}): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env: { ...env, ...extra }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return { median: q(0.5), p95: q(0.95), min: s[0]! };
}

time([bin, 'init']); // the state home exists: we measure steady-state cold starts, not first-use init
const node: number[] = [];
const cli: number[] = [];
const unbundled: number[] = [];
const loadBefore = loadavg();
for (let i = 0; i < runs; i++) {
  // Interleave so machine noise hits every series alike.
  node.push(time(['-e', '0']));
  cli.push(time([bin, 'whoami', '--json']));
  unbundled.push(time([bin, 'whoami', '--json'], { MAESTRO_NO_BUNDLE: '1' }));
}
const loadAfter = loadavg();
rmSync(home, { recursive: true, force: true });
const n = stats(node);
const c = stats(cli);
const u = stats(unbundled);
const f = (x: number) => x.toFixed(1).padStart(7);
console.log(`runs: ${runs} (node ${process.version}, ${process.platform}/${process.arch})`);
console.log(`node -e 0               median ${f(n.median)} ms  p95 ${f(n.p95)} ms`);
console.log(`maestro whoami --json   median ${f(c.median)} ms  p95 ${f(c.p95)} ms`);
console.log(`  unbundled (no bundle)  median ${f(u.median)} ms  p95 ${f(u.p95)} ms  (${(u.median / n.median).toFixed(2)}x)`);
console.log(
  `ratio (median)          ${(c.median / n.median).toFixed(2)}x node startup; overhead ${(c.median - n.median).toFixed(1)} ms; target 2x: ${c.median <= 2 * n.median ? 'met' : 'NOT met'}`,
);
console.log(
  `load average            before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(2)).join(' ')} (${cpus().length} cores)`,
);
console.log(`target                  median < 250 ms: ${c.median < 250 ? 'met' : 'NOT met'}`);
