/**
 * The same pack and input beside the real OPA, in the same run: OPA's in-process `opa bench` (its
 * JSON output parsed), `opa eval` as one process per decision, and maestro both ways (in-process
 * through the PolicyEvaluator seam, and `maestro policy eval` as one process per decision).
 * OPA is found at $OPA_BIN, `opa` on PATH, or /root/go/bin/opa; without it the section says so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PolicyEvaluator } from '../../src/policy/evaluator.js';
import { stringifyJson } from '../../src/policy/json-text.js';

export function findOpa(): string | undefined {
  for (const c of [process.env.OPA_BIN, 'opa', '/root/go/bin/opa']) {
    if (!c || (c.includes('/') && !existsSync(c))) continue;
    if (spawnSync(c, ['version'], { encoding: 'utf8' }).status === 0) return c;
  }
  return undefined;
}

interface OpaBench {
  N: number;
  T: number;
  Extra?: Record<string, number>;
}

const ms = (ns: number): string => (ns / 1e6).toFixed(3);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

// Wall time of `runs` runs of a command, in ns each.
function timeProcess(cmd: string, args: string[], runs: number): { times: number[]; stdout: string } {
  const times: number[] = [];
  let stdout = '';
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    times.push(Number(process.hrtime.bigint() - t0));
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
    stdout = r.stdout;
  }
  return { times, stdout };
}

/**
 * Markdown lines comparing maestro with OPA on one pack, entrypoint and input.
 * @example compareWithOpa({ packDir, query: 'data.maestro.decision.result', entrypoint: 'maestro/decision/result', input, ev, root })
 */
export function compareWithOpa(o: {
  packDir: string;
  query: string;
  entrypoint: string;
  input: unknown;
  ev: PolicyEvaluator;
  root: string;
  processes: number;
  iterations: number;
}): string[] {
  const opa = findOpa();
  if (!opa)
    return [
      '## Beside OPA',
      '',
      'Skipped: no OPA found ($OPA_BIN, `opa` on PATH, /root/go/bin/opa). CI installs it with `go install github.com/open-policy-agent/opa@v1.22.3`.',
    ];
  const version = spawnSync(opa, ['version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? '';
  const dir = mkdtempSync(join(tmpdir(), 'mc-bench-opa-'));
  const inputFile = join(dir, 'input.json');
  writeFileSync(inputFile, stringifyJson(o.input));
  const files = readdirSync(o.packDir)
    .filter((f) => f.endsWith('.rego') && !f.endsWith('_test.rego'))
    .sort()
    .map((f) => join(o.packDir, f));
  const dArgs = files.flatMap((f) => ['-d', f]);

  // maestro in-process, the same single input
  for (let i = 0; i < 200; i++) o.ev.evaluate(o.entrypoint, o.input);
  const ours: number[] = [];
  for (let i = 0; i < o.iterations; i++) {
    const t0 = process.hrtime.bigint();
    o.ev.evaluate(o.entrypoint, o.input);
    ours.push(Number(process.hrtime.bigint() - t0));
  }
  const oursMean = ours.reduce((a, b) => a + b, 0) / ours.length;

  // opa bench (in-process in OPA)
  const b = spawnSync(opa, ['bench', ...dArgs, '-i', inputFile, '--format', 'json', '--count', '1', o.query], { encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`opa bench failed: ${b.stderr || b.stdout}`);
  const bench = JSON.parse(b.stdout) as OpaBench;
  const opaMean = bench.T / bench.N;
  const opaMedian = bench.Extra?.histogram_timer_rego_query_eval_ns_median ?? opaMean;

  // one process per decision
  const opaProc = timeProcess(opa, ['eval', ...dArgs, '-i', inputFile, '--format', 'json', o.query], o.processes);
  const ourProc = timeProcess(
    process.execPath,
    [join(o.root, 'bin', 'run.js'), 'policy', 'eval', ...dArgs, '-i', inputFile, '--format', 'json', o.query],
    o.processes,
  );
  const same =
    stringifyJson((JSON.parse(opaProc.stdout) as { result: Array<{ expressions: Array<{ value: unknown }> }> }).result[0]?.expressions[0]?.value) ===
    stringifyJson((JSON.parse(ourProc.stdout) as { result: Array<{ expressions: Array<{ value: unknown }> }> }).result[0]?.expressions[0]?.value);

  const row = (name: string, mean: number, med: number): string => `| ${name} | ${ms(mean)} | ${ms(med)} |`;
  const mean = (xs: number[]): number => xs.reduce((a, c) => a + c, 0) / xs.length;
  return [
    '## Beside OPA (same pack, same input, same run)',
    '',
    `${version}; ${o.iterations} in-process decisions each; ${o.processes} processes each. Decisions equal: ${same ? 'yes' : 'NO'}.`,
    '',
    '| per decision (ms) | mean | median |',
    '| --- | --- | --- |',
    row('maestro in-process (RegoEvaluator.evaluate)', oursMean, median(ours)),
    row(`opa bench (in-process, N=${bench.N})`, opaMean, opaMedian),
    row('opa eval, one process per decision', mean(opaProc.times), median(opaProc.times)),
    row('maestro policy eval, one process per decision', mean(ourProc.times), median(ourProc.times)),
    '',
    `Ratios (mean): maestro in-process / opa bench = ${(oursMean / opaMean).toFixed(2)}×; ` +
      `opa eval process / maestro in-process = ${(mean(opaProc.times) / oursMean).toFixed(0)}×; ` +
      `maestro policy eval process / opa eval process = ${(mean(ourProc.times) / mean(opaProc.times)).toFixed(2)}×.`,
    `Ratios (median): maestro in-process / opa bench = ${(median(ours) / opaMedian).toFixed(2)}×; ` +
      `opa eval process / maestro in-process = ${(median(opaProc.times) / median(ours)).toFixed(0)}×; ` +
      `maestro policy eval process / opa eval process = ${(median(ourProc.times) / median(opaProc.times)).toFixed(2)}×.`,
    "A process per decision pays start-up and compilation every time (Node start-up and the CLI dominate maestro's);",
    'the in-process rows are what a warm decision costs (maestro: the control plane and the runner keep the evaluator warm).',
  ];
}
