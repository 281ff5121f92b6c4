/** Human output of the cost governor: plans, the accuracy report and calibration. */
import type { Plan, TaskEstimate } from '../cost/index.js';
import type { CostReport } from '../cost/cost-report.js';
import type { CalibrationReport } from '../cost/calibrate.js';
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
  const src = g.source === 'history' ? style.ok(g.source) : g.source === 'declared' ? g.source : style.warn(g.source);
  const corr = t.basis.correction !== 1 ? ` ×${t.basis.correction} corr.` : '';
  return `${src}: ${g.wallSec}s wall, ${g.cpuSec} cpu-s, ${g.gbSec} GB-s, ${bytes(g.bytesWritten)} written${corr} (${g.statistic})`;
}

/** The plan as a table plus its totals and the prices applied. */
export function renderPlan(plan: Plan): string {
  const rows = [['#', 'TASK', 'NEEDS', 'CPU', 'MEM', 'TIMEOUT', 'ESTIMATE', 'HIGH', 'TIME GUESS']];
  plan.tasks.forEach((t, i) => {
    rows.push([String(i + 1), t.id, t.needs.join(',') || '-', String(t.resources.cpu), `${t.resources.memoryMB}MB`, `${t.resources.timeoutSec}s`,
      usdFine(t.estimatedCostUSD), usdFine(t.highCostUSD), guessText(t)]);
  });
  const priced = new Map(plan.tasks.map((t) => [`${t.uses}/${t.resourceClass}`, t.basis.prices]));
  const priceLines = [...priced].map(([k, p]) =>
    `  ${k}: $${p.vcpuSecondUSD}/vCPU-s (CPU time), $${p.gbSecondUSD}/GB-s (peak RSS × wall), $${p.gbWrittenUSD}/GB written, $${p.baseFeeUSD}/task`);
  const g = plan.guessSources;
  return [
    `${style.bold(`Plan: ${plan.workflow}`)}  (${plan.tasks.length} tasks, class ${plan.resourceClass}, region ${plan.region})`,
    '',
    table(rows),
    '',
    fields([
      ['estimatedCostUSD', `${style.bold(usdFine(plan.estimatedCostUSD))}  (high ${usdFine(plan.highCostUSD)})`],
      ['time guesses', `${g.history} from history, ${g.declared} declared, ${g.default} default`],
      ['price table', `${plan.prices.sources.length ? plan.prices.sources.join(' + ') + ' over built-in' : 'built-in'} (${plan.prices.digest.slice(0, 19)}…)`],
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
    out.push('', style.bold('worst offenders'), table([
      ['EXECUTION', 'WORKFLOW', 'ESTIMATE', 'ACTUAL', 'DRIFT', 'FINISHED'],
      ...r.worstOffenders.map((o) => [o.executionId, o.workflow, usdFine(o.estimatedUSD), usdFine(o.actualUSD), `${o.driftPct.toFixed(2)}%`, o.finishedAt]),
    ]));
  }
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
    out.push('', table([
      ['USES/CLASS', 'RUNS', 'WINDOW', 'HISTORY CORR.', 'DECLARED ×', 'CPU UTIL', 'MEM UTIL', 'DEFAULT SEC'],
      ...c.factors.map((f) => [`${f.uses}/${f.resourceClass}`, String(f.samples), String(f.window), String(f.historyCorrection),
        String(f.declaredFactor), String(f.cpuUtil), String(f.memUtil), f.defaultSec === undefined ? '-' : String(f.defaultSec)]),
    ]));
  }
  return out.join('\n');
}
