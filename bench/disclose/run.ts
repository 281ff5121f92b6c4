/**
 * bench/disclose: generate a 1 GB execution, export and verify it in child processes (peak RSS from
 * the child's own rusage), against `sha256sum` of the same bytes in the same run. Three runs.
 *   node dist/bench/disclose/run.js [--mb 1024] [--runs 3]
 * Prints a markdown report (saved as docs/evidence/disclose-bench.md).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createContext } from '../../src/core/context.js';
import { type ExecutionRecordLike, ensureSigningKey, subjectFiles, writeReceipt } from '../../src/receipts/index.js';
import { generateExecution } from './generate.js';

const args = process.argv.slice(2);
const opt = (name: string, def: number): number => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : def);
const totalMB = opt('--mb', 1024);
const runs = opt('--runs', 3);
const child = join(fileURLToPath(new URL('.', import.meta.url)), 'child.js');

interface ChildResult {
  ok: boolean;
  seconds: number;
  maxRssMB: number;
  sha256?: string;
  bytes?: number;
  failed?: string[];
}

function runChild(...a: string[]): ChildResult {
  const r = spawnSync(process.execPath, [child, ...a], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`child ${a[0]} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildResult;
}

function sha256sumSeconds(files: string[]): number {
  const t0 = performance.now();
  execFileSync('sha256sum', files, { maxBuffer: 16 << 20 });
  return (performance.now() - t0) / 1000;
}

const rows: string[] = [];
const fmt = (n: number, d = 2): string => n.toFixed(d);
for (let run = 1; run <= runs; run++) {
  const home = mkdtempSync(join(tmpdir(), 'disclose-bench-'));
  const id = `ex_bench${String(run).padStart(18, '0')}`;
  try {
    const ctx = createContext({ home, env: { MAESTRO_HOME: home } });
    const gen = await generateExecution(home, id, totalMB, run);
    ensureSigningKey(ctx);
    const { readFileSync } = await import('node:fs');
    const record = JSON.parse(readFileSync(join(gen.dir, 'execution.json'), 'utf8')) as ExecutionRecordLike;
    const r0 = performance.now();
    await writeReceipt(ctx, gen.dir, record);
    const receiptSec = (performance.now() - r0) / 1000;
    const files = subjectFiles(gen.dir).files.map((f) => f.absPath);
    sha256sumSeconds(files); // warm the page cache so every measurement reads from memory
    const baseline = sha256sumSeconds(files);
    const pack = join(home, 'pack.zip');
    const exp = runChild('export', home, id, pack);
    const ver = runChild('verify', home, pack);
    const again = runChild('export', home, id, join(home, 'pack2.zip'));
    const gbs = gen.bytes / 1e9;
    rows.push(
      `| ${run} | ${fmt(gbs)} | ${fmt(baseline)} | ${fmt(receiptSec)} | ${fmt(exp.seconds)} | ${fmt(baseline / exp.seconds)} | ${fmt(exp.maxRssMB, 0)} | ${fmt(ver.seconds)} | ${fmt(baseline / ver.seconds)} | ${fmt(ver.maxRssMB, 0)} | ${ver.ok ? 'yes' : `NO (${ver.failed!.join(', ')})`} | ${again.sha256 === exp.sha256 ? 'yes' : 'NO'} |`,
    );
    process.stderr.write(`run ${run}: export ${fmt(exp.seconds)} s, verify ${fmt(ver.seconds)} s, sha256sum ${fmt(baseline)} s\n`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

const cpu = cpus()[0]?.model ?? 'unknown';
process.stdout.write(`# disclose bench

Command: \`node dist/bench/disclose/run.js --mb ${totalMB} --runs ${runs}\` (after \`npm run build\`).
Machine: ${cpus().length} × ${cpu}, Node ${process.version}. Content: ${totalMB} MiB per execution
(60% NDJSON logs over 4 tasks, 40% outputs: half random binary, half CSV-like text, plus 200 small JSON files).
Baseline: \`sha256sum\` of the same log and output files in the same run (page cache warm).
Ratios are baseline time ÷ our time (1.00 = as fast as sha256sum over the same bytes; export reads everything
twice, hashes it three times and deflates it). Peak RSS is the child process's own maxRSS.
Targets: export < 60 s (aim < 15 s), verify < 30 s, peak RSS < 256 MB.

| run | GB | sha256sum s | receipt s | export s | export ratio | export RSS MB | verify s | verify ratio | verify RSS MB | verified | re-export identical |
|---|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`);
