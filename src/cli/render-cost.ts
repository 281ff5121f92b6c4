/** Human output of the cost governor: plans, the accuracy report and calibration. */

import type { CalibrationReport } from '../cost/calibrate.js';
import type { CostReport } from '../cost/cost-report.js';
import type { CostSummary, Plan, TaskEstimate } from '../cost/index.js';
import type { Accuracy } from '../cost/report.js';
import { fields, style, table } from './render.js';

/** USD with micro-dollar precision below a cent, cents above. */
export function usdFine(value: number): string {
  if (value !== 0 && Math.abs(value) < 0.01) return `$${value.toFixed(6)}`;
  return `$${value.toFixed(2)}`;
}

function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

function guessText(t: TaskEstimate): string {
  const g = t.basis.guess;
  const src = g.source === 'history' ? style.ok(g.source) : g.source === 'priors' || g.source === 'declared' ? g.source : style.warn(g.source);
  const corr = t.basis.correction !== 1 ? ` ×${t.basis.correction} corr.` : '';
  return `${src}: ${g.wallSec}s wall, ${g.cpuSec} cpu-s, ${g.gbSec} GB-s, ${bytes(g.bytesWritten)} written${corr} (${g.statistic})`;
}

/** An estimate with its interval: "$0.000102 ($0.000100–$0.012)". */
export function withInterval(point: number, i: { lowUSD: number; highUSD: number } | undefined): string {
  return i ? `${usdFine(point)} (${usdFine(i.lowUSD)}–${usdFine(i.highUSD)})` : usdFine(point);
}

/** The plan as a table plus its totals and the prices applied. */
export function renderPlan(plan: Plan): string {
  const rows = [['#', 'TASK', 'NEEDS', 'CPU', 'MEM', 'TIMEOUT', 'ESTIMATE (p10–p90)', 'TIME GUESS']];
  plan.tasks.forEach((t, i) => {
    rows.push([
      String(i + 1),
      t.id,
      t.needs.join(',') || '-',
      String(t.resources.cpu),
      `${t.resources.memoryMB}MB`,
      `${t.resources.timeoutSec}s`,
      withInterval(t.estimatedCostUSD, t.estimateInterval),
      guessText(t),
    ]);
  });
  const guessed = plan.tasks.filter((t) => t.basis.guess.source !== 'history');
  const notes = guessed.map((t) => `  ${t.id}: ${t.basis.guess.note ?? t.basis.guess.statistic}`);
  const priced = new Map(plan.tasks.map((t) => [`${t.uses}/${t.resourceClass}`, t.basis.prices]));
  const priceLines = [...priced].map(
    ([k, p]) => `  ${k}: $${p.vcpuSecondUSD}/vCPU-s (CPU time), $${p.gbSecondUSD}/GB-s (peak RSS × wall), $${p.gbWrittenUSD}/GB written, $${p.baseFeeUSD}/task`,
  );
  const g = plan.guessSources;
  const allGuessed = guessed.length === plan.tasks.length && plan.tasks.length > 0;
  const load = plan.load;
  return [
    `${style.bold(`Plan: ${plan.workflow}`)}  (${plan.tasks.length} tasks, class ${plan.resourceClass}, region ${plan.region})`,
    '',
    table(rows),
    '',
    ...(guessed.length
      ? [
          style.warn(allGuessed ? 'no history for any task: the estimate is a guess, resting on:' : 'tasks without history (their figures are guesses):'),
          ...notes,
          '',
        ]
      : []),
    fields([
      [
        'estimatedCostUSD',
        `${style.bold(usdFine(plan.estimatedCostUSD))}  (p10–p90 ${usdFine(plan.estimateInterval?.lowUSD ?? plan.estimatedCostUSD)}–${usdFine(plan.estimateInterval?.highUSD ?? plan.highCostUSD)})${allGuessed ? '  guess' : ''}`,
      ],
      ['time guesses', `${g.history} from history, ${g.priors ?? 0} from similar tasks, ${g.declared} declared, ${g.default} default`],
      ...(load
        ? [
            [
              'host load',
              `run-queue stretch ${load.contentionNow ?? 'unknown'} (1-min load ${load.load1 ?? '-'} on ${load.ncpu ?? '?'} CPUs), CPU slope ${load.cpuSlope}, wall slope ${load.wallSlope ?? 1}; instruction counters: ${load.instructionCounters.split(' (')[0]}`,
            ] as [string, string],
          ]
        : []),
      ['price table', `${plan.prices.sources.length ? `${plan.prices.sources.join(' + ')} over built-in` : 'built-in'} (${plan.prices.digest.slice(0, 19)}…)`],
    ]),
    'prices applied:',
    ...priceLines,
  ].join('\n');
}

function accuracyLine(a: Accuracy): string {
  if (a.count === 0) return 'no executions with an actual cost';
  const pct = (n: number | null) => (n === null ? '-' : `${n.toFixed(2)}%`);
  return `${(a.shareWithin10Pct * 100).toFixed(1)}% within ±10% (${a.withinTolerance}/${a.count}), median |drift| ${pct(a.medianAbsDriftPct)}, p95 |drift| ${pct(a.p95AbsDriftPct)}`;
}

/** The cost line of `run` and `status`: estimate, actual and the drift in words. */
export function renderCostLine(c: CostSummary): string {
  const money = (x: number | null) => (x === null ? '-' : usdFine(x));
  const guess = c.firstRun ? ' (a guess: no history)' : '';
  const drift = c.drift ?? (c.driftPct === null ? '' : `drift ${c.driftPct.toFixed(1)}%`);
  return `estimated ${money(c.estimatedUSD)}${guess}, actual ${money(c.actualUSD)}${drift ? `: ${drift}` : ''}`;
}

function splitTable<K extends string>(title: string, split: Record<K, Accuracy>): string[] {
  const keys = (Object.keys(split) as K[]).filter((k) => split[k].count > 0);
  if (keys.length === 0) return [];
  const pct = (n: number | null) => (n === null ? '-' : `${n.toFixed(2)}%`);
  return [
    '',
    style.bold(title),
    table([
      ['', 'TASKS', 'WITHIN ±10%', 'MEDIAN |DRIFT|', 'P95 |DRIFT|', 'MEAN DRIFT'],
      ...keys.map((k) => {
        const a = split[k];
        return [
          k,
          String(a.count),
          `${(a.shareWithin10Pct * 100).toFixed(1)}% (${a.withinTolerance})`,
          pct(a.medianAbsDriftPct),
          pct(a.p95AbsDriftPct),
          pct(a.meanDriftPct),
        ];
      }),
    ]),
  ];
}

/** The accuracy report, its worst offenders and the alert line. */
export function renderCostReport(r: CostReport): string {
  const out = [
    fields([
      ['tenant', r.tenant],
      ['period', `${r.since} → ${r.until}`],
      ['executions', `${r.count}${r.excluded ? ` (+${r.excluded} that ran nothing, not compared)` : ''}`],
      ['accuracy', accuracyLine(r)],
      ['mean drift', r.meanDriftPct === null ? '-' : `${r.meanDriftPct.toFixed(2)}% (positive: estimates run low)`],
      ['spend', `estimated ${usdFine(r.estimatedUSD)}, actual ${usdFine(r.actualUSD)}`],
    ]),
  ];
  if (r.worstOffenders.length) {
    out.push(
      '',
      style.bold('worst offenders'),
      table([
        ['EXECUTION', 'WORKFLOW', 'ESTIMATE', 'ACTUAL', 'DRIFT', 'FINISHED', 'ESTIMATED FROM'],
        ...r.worstOffenders.map((o) => [
          o.executionId,
          o.workflow,
          usdFine(o.estimatedUSD),
          usdFine(o.actualUSD),
          `${o.driftPct.toFixed(2)}%`,
          o.finishedAt,
          o.firstRun ? `first run: a guess (${o.estimateSource})` : (o.estimateSource ?? '-'),
        ]),
      ]),
    );
  }
  if (r.bySource) out.push(...splitTable('tasks by estimate source', r.bySource));
  if (r.byLoadBand) out.push(...splitTable('tasks by host load (run-queue stretch: quiet ≤ 1.1, busy ≤ 2, overloaded > 2)', r.byLoadBand));
  if (r.intervalCoverage?.tasks)
    out.push(
      '',
      `actual inside the estimate's interval: ${r.intervalCoverage.inside}/${r.intervalCoverage.tasks} tasks (${(r.intervalCoverage.share * 100).toFixed(1)}%)`,
    );
  if (r.alert) out.push('', style.bad(r.alert));
  return out.join('\n');
}

/** Calibration: accuracy before/after and the fitted factors. */
export function renderCalibration(c: CalibrationReport): string {
  const out = [
    fields([
      ['history', `${c.executions} executions, ${c.taskRuns} task runs (replayed in time order)`],
      ['before', accuracyLine(c.before)],
      ['after', accuracyLine(c.after)],
      ['result', c.applied ? style.ok(c.reason) : c.reason],
    ]),
  ];
  if (c.factors.length) {
    out.push(
      '',
      table([
        ['USES/CLASS', 'RUNS', 'WINDOW', 'HISTORY CORR.', 'DECLARED ×', 'CPU UTIL', 'MEM UTIL', 'DEFAULT SEC'],
        ...c.factors.map((f) => [
          `${f.uses}/${f.resourceClass}`,
          String(f.samples),
          String(f.window),
          String(f.historyCorrection),
          String(f.declaredFactor),
          String(f.cpuUtil),
          String(f.memUtil),
          f.defaultSec === undefined ? '-' : String(f.defaultSec),
        ]),
      ]),
    );
  }
  return out.join('\n');
}
