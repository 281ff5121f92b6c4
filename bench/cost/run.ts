/**
 * Cost-estimate accuracy benchmark (issue 5): run the fixtures/cost-bench suite through the real CLI
 * (`maestro run`, sandboxed) in a fresh state home, `--history` times to build history, then once more
 * where each manifest is estimated (from that history), run, and compared with its actual cost.
 * Prints the share of executions within ±10%, the drift distribution and the tasks that miss.
 *
 *   npm run bench:cost                      # 2 history rounds + 1 measured round
 *   node dist/bench/cost/run.js --history 3 --only cpu,fan --json out.json
 *   node dist/bench/cost/run.js --direct     # sandbox primitive only, without `maestro run`
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createContext } from '../../src/core/context.js';
import { loadManifest } from '../../src/manifest/index.js';
import { openSession } from '../../src/tenancy/index.js';
import { planWith, recordActuals, resolvePrices, type Plan } from '../../src/cost/index.js';
import type { RecordedActuals } from '../../src/cost/index.js';
import { summarise, renderSummary, type BenchRow } from './summary.js';
import { runDirect } from './direct.js';
import type { LoadedManifest } from '../../src/manifest/manifest.types.js';

let directSeq = 0;

/** --direct: the sandbox primitive without `maestro run` (see direct.ts). */
async function directRun(loaded: LoadedManifest, round: number, file: string): Promise<{ id: string; record: Record<string, unknown>; ms: number }> {
  const t0 = Date.now();
  const id = `ex_bench${String(round)}${String(++directSeq).padStart(6, '0')}${file.slice(0, 2)}`;
  const record = await runDirect(id, loaded);
  return { id, record: record as unknown as Record<string, unknown>, ms: Date.now() - t0 };
}

interface Options {
  direct: boolean;
  history: number;
  only: string[];
  json?: string;
  suite: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { direct: false, history: 2, only: [], suite: 'fixtures/cost-bench' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--history') o.history = Number(argv[++i]);
    else if (a === '--only') o.only = argv[++i]!.split(',');
    else if (a === '--json') o.json = argv[++i]!;
    else if (a === '--suite') o.suite = argv[++i]!;
    else if (a === '--direct') o.direct = true;
  }
  return o;
}

const root = resolve(new URL('../../..', import.meta.url).pathname);

/** Run one manifest through the CLI; returns the execution record written by the runner. */
function runManifest(path: string, env: NodeJS.ProcessEnv): { id: string; record: Record<string, unknown>; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(root, 'bin/run.js'), 'run', path, '--json'], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Date.now() - t0;
  let out: { id?: string };
  try {
    out = JSON.parse(r.stdout) as { id?: string };
  } catch {
    throw new Error(`maestro run ${path} printed no JSON (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
  if (!out.id) throw new Error(`maestro run ${path}: no execution id in ${r.stdout.slice(0, 200)}`);
  const record = JSON.parse(readFileSync(join(env.MAESTRO_HOME!, 'executions', out.id, 'execution.json'), 'utf8')) as Record<string, unknown>;
  if (r.status !== 0) process.stderr.write(`  warning: ${path} exited ${r.status} (${String(record.status)})\n`);
  return { id: out.id, record, ms };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const home = mkdtempSync(join(tmpdir(), 'mc-cost-bench-'));
  const env: NodeJS.ProcessEnv = { ...process.env, MAESTRO_HOME: home, NO_COLOR: '1' };
  delete env.MAESTRO_TOKEN;
  const ctx = createContext({ env, home });
  const session = await openSession(ctx);
  const prices = resolvePrices(ctx);
  const dir = resolve(root, opts.suite);
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).filter((f) => opts.only.length === 0 || opts.only.some((o) => f.includes(o))).sort();
  process.stderr.write(`cost bench${opts.direct ? ' (--direct: sandbox primitive, no scheduler)' : ''}: ${files.length} manifests, ${opts.history} history round(s) + 1 measured, state home ${home}\n`);
  const rows: BenchRow[] = [];
  const started = Date.now();
  for (let round = 0; round <= opts.history; round++) {
    const measured = round === opts.history;
    for (const f of files) {
      const path = join(dir, f);
      const loaded = await loadManifest(path, ctx);
      const plan: Plan = planWith(session.store, session.identity.tenantId, loaded, prices);
      const run = opts.direct ? await directRun(loaded, round, f) : runManifest(path, env);
      const actual: RecordedActuals = recordActuals(session, run.record as never, { plan, tenantId: session.identity.tenantId });
      process.stderr.write(`  round ${round + 1}${measured ? ' (measured)' : ''} ${f}: est ${plan.estimatedCostMicros} µ$, actual ${actual.actualCostMicros} µ$, drift ${actual.driftPct ?? '-'}% (${run.ms} ms)\n`);
      if (measured) rows.push({ manifest: f, executionId: run.id, status: String(run.record.status), plan, actual });
    }
  }
  const summary = summarise(rows);
  process.stdout.write(renderSummary(summary, { files: files.length, history: opts.history, seconds: Math.round((Date.now() - started) / 1000), prices: prices.digest }));
  if (opts.json) writeFileSync(opts.json, JSON.stringify(summary, null, 2));
  session.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`cost bench failed: ${(err as Error).message}\n`);
  process.exit(1);
});
