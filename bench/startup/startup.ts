/**
 * bench/startup: cold-start cost of the CLI as shell scripts see it (issue 15, ADR 0025, ADR 0033).
 * Median and p95 of N cold runs of each command, interleaved with `node -e 0` in the same run so that
 * machine noise hits every series alike; prints each median as a ratio of node's (target: <= 2x for
 * `whoami --json`, `--version` and `status --json`) and the load average before and after.
 * Series: the fast path (default; its V8 code cache is warmed by the first runs), the fast path without
 * the code cache (MAESTRO_NO_CODE_CACHE=1), and `whoami --json` through oclif (MAESTRO_NO_FAST_PATH=1,
 * the bundled path of ADR 0025) as the baseline it replaces.
 * Run: npm run build && node dist/bench/startup/startup.js [runs]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Math.max(1, Math.min(1000, Number(process.argv[2] ?? 20) || 20));
const root = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');
const bin = join(root, 'bin', 'run.js');
const home = mkdtempSync(join(tmpdir(), 'mc-bench-startup-'));
const env: NodeJS.ProcessEnv = { ...process.env, MAESTRO_HOME: join(home, 'h'), NO_COLOR: '1' };
delete env.MAESTRO_URL;

function time(args: string[], extra: Record<string, string> = {}, okCodes = [0]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env: { ...env, ...extra }, encoding: 'utf8', cwd: root });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (!okCodes.includes(r.status ?? -1)) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return { median: q(0.5), p95: q(0.95), min: s[0]! };
}

// A state home with one execution, so status shows it (steady-state cold starts, not first-use init).
time([bin, 'init']);
const ran = spawnSync(process.execPath, [bin, 'run', 'fixtures/manifests/hello.yaml', '--json'], { env, encoding: 'utf8', cwd: root });
const statusCodes = ran.status === 0 ? [0] : [5]; // without a sandbox here: no execution, status exits 5

interface Series {
  label: string;
  args: string[];
  extra?: Record<string, string>;
  ok?: number[];
  gated: boolean;
  xs: number[];
}
const series: Series[] = [
  { label: 'node -e 0', args: ['-e', '0'], gated: false, xs: [] },
  { label: 'maestro whoami --json', args: [bin, 'whoami', '--json'], gated: true, xs: [] },
  { label: 'maestro --version', args: [bin, '--version'], gated: true, xs: [] },
  { label: 'maestro status --json', args: [bin, 'status', '--json'], ok: statusCodes, gated: true, xs: [] },
  { label: 'whoami --json, no V8 cache', args: [bin, 'whoami', '--json'], extra: { MAESTRO_NO_CODE_CACHE: '1' }, gated: false, xs: [] },
  { label: 'whoami --json via oclif', args: [bin, 'whoami', '--json'], extra: { MAESTRO_NO_FAST_PATH: '1' }, gated: false, xs: [] },
];

// Warm-up, not measured: the first run of each command writes its code cache; the OS page cache fills.
for (const s of series) time(s.args, s.extra, s.ok);
const loadBefore = loadavg();
for (let i = 0; i < runs; i++) for (const s of series) s.xs.push(time(s.args, s.extra, s.ok));
const loadAfter = loadavg();
rmSync(home, { recursive: true, force: true });

const node = stats(series[0]!.xs).median;
const f = (x: number) => x.toFixed(1).padStart(7);
console.log(`runs: ${runs} each, interleaved (node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} cores)`);
let allMet = true;
for (const s of series) {
  const st = stats(s.xs);
  const ratio = st.median / node;
  const verdict = s.gated ? (ratio <= 2 ? '  target 2x: met' : '  target 2x: NOT met') : '';
  if (s.gated && ratio > 2) allMet = false;
  console.log(`${s.label.padEnd(26)} median ${f(st.median)} ms  p95 ${f(st.p95)} ms  ${ratio.toFixed(2)}x node${verdict}`);
}
if (ran.status !== 0) console.log('note: `maestro run` failed here (no sandbox?), so status --json measured its "no executions" answer (exit 5)');
console.log(`load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(2)).join(' ')}`);
console.log(`all fast-path commands within 2x node -e 0: ${allMet ? 'yes' : 'NO'}`);
