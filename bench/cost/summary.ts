/** Figures of the cost bench: share within ±10%, drift distribution, per-task misses with reasons. */
import type { Plan, RecordedActuals } from '../../src/cost/index.js';

export interface BenchRow {
  manifest: string;
  executionId: string;
  status: string;
  plan: Plan;
  actual: RecordedActuals;
}

export interface TaskMiss {
  manifest: string;
  task: string;
  source: string;
  estimatedMicros: number;
  actualMicros: number;
  driftPct: number;
  cpuGuess: number;
  cpuActual: number;
  reason: string;
}

export interface BenchSummary {
  executions: number;
  within10: number;
  shareWithin10Pct: number;
  drift: { min: number; p5: number; p25: number; median: number; p75: number; p95: number; max: number; medianAbs: number; p95Abs: number };
  histogram: Array<{ bucket: string; count: number }>;
  rows: Array<{ manifest: string; status: string; tasks: number; estimatedMicros: number; actualMicros: number; driftPct: number | null; sources: string }>;
  taskMisses: TaskMiss[];
  cpuTaskDrift: { tasks: number; within10: number; medianAbsPct: number };
}

function q(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return Math.round((sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo)) * 100) / 100;
}

const BUCKETS: Array<[string, number, number]> = [
  ['< -25%', -Infinity, -25],
  ['-25..-10%', -25, -10],
  ['-10..-5%', -10, -5],
  ['-5..-2%', -5, -2],
  ['-2..+2%', -2, 2],
  ['+2..+5%', 2, 5],
  ['+5..+10%', 5, 10],
  ['+10..+25%', 10, 25],
  ['> +25%', 25, Infinity],
];

// Why a task's estimate missed, in words, from its guess and measured usage.
function reasonFor(m: Omit<TaskMiss, 'reason'>): string {
  if (m.source !== 'history') return `no usable history (${m.source} guess)`;
  if (m.cpuGuess > 0 && Math.abs(m.cpuActual - m.cpuGuess) / m.cpuGuess > 0.1) {
    return `CPU time ${m.cpuActual}s vs median ${m.cpuGuess}s (${m.cpuActual > m.cpuGuess ? 'slower' : 'faster'} run: contention or timer resolution)`;
  }
  return 'memory GB-seconds follow wall time, which varies with machine load';
}

export function summarise(rows: BenchRow[]): BenchSummary {
  const drifts = rows.map((r) => r.actual.driftPct).filter((d): d is number => d !== null);
  const sorted = [...drifts].sort((a, b) => a - b);
  const abs = drifts.map(Math.abs).sort((a, b) => a - b);
  const within10 = drifts.filter((d) => Math.abs(d) <= 10).length;
  const taskMisses: TaskMiss[] = [];
  let cpuTasks = 0;
  let cpuWithin = 0;
  const cpuAbs: number[] = [];
  for (const r of rows) {
    const planned = new Map(r.plan.tasks.map((t) => [t.id, t]));
    for (const t of r.actual.tasks) {
      const p = planned.get(t.id);
      if (!p || !t.usage || t.actualCostMicros === 0) continue;
      const d = Math.round(((t.actualCostMicros - t.estimatedCostMicros) / t.actualCostMicros) * 10_000) / 100;
      if (p.basis.guess.source === 'history' && p.basis.guess.cpuSec >= 0.05) {
        cpuTasks++;
        const cd = (Math.abs(t.usage.cpuSec - p.basis.guess.cpuSec) / Math.max(t.usage.cpuSec, 0.001)) * 100;
        cpuAbs.push(cd);
        if (cd <= 10) cpuWithin++;
      }
      if (Math.abs(d) > 10) {
        const m = {
          manifest: r.manifest,
          task: t.id,
          source: p.basis.guess.source,
          estimatedMicros: t.estimatedCostMicros,
          actualMicros: t.actualCostMicros,
          driftPct: d,
          cpuGuess: p.basis.guess.cpuSec,
          cpuActual: t.usage.cpuSec,
        };
        taskMisses.push({ ...m, reason: reasonFor(m) });
      }
    }
  }
  cpuAbs.sort((a, b) => a - b);
  return {
    executions: rows.length,
    within10,
    shareWithin10Pct: rows.length ? Math.round((within10 / rows.length) * 10_000) / 10_000 : 0,
    drift: {
      min: sorted[0] ?? 0,
      p5: q(sorted, 0.05),
      p25: q(sorted, 0.25),
      median: q(sorted, 0.5),
      p75: q(sorted, 0.75),
      p95: q(sorted, 0.95),
      max: sorted[sorted.length - 1] ?? 0,
      medianAbs: q(abs, 0.5),
      p95Abs: q(abs, 0.95),
    },
    histogram: BUCKETS.map(([bucket, lo, hi]) => ({ bucket, count: drifts.filter((d) => d > lo && d <= hi).length })),
    rows: rows.map((r) => ({
      manifest: r.manifest,
      status: r.status,
      tasks: r.plan.tasks.length,
      estimatedMicros: r.plan.estimatedCostMicros,
      actualMicros: r.actual.actualCostMicros,
      driftPct: r.actual.driftPct,
      sources: Object.entries(r.plan.guessSources)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${n} ${k}`)
        .join(', '),
    })),
    taskMisses,
    cpuTaskDrift: { tasks: cpuTasks, within10: cpuWithin, medianAbsPct: q(cpuAbs, 0.5) },
  };
}

export function renderSummary(s: BenchSummary, meta: { files: number; history: number; seconds: number; prices: string }): string {
  const lines = [
    `# cost bench: ${meta.files} manifests, ${meta.history} history rounds, measured round compared (${meta.seconds}s total)`,
    `prices ${meta.prices.slice(0, 23)}…  drift = (actual − estimate) / actual`,
    '',
    '| manifest | status | tasks | guesses | estimate µ$ | actual µ$ | drift |',
    '|---|---|---|---|---|---|---|',
    ...s.rows.map(
      (r) =>
        `| ${r.manifest} | ${r.status} | ${r.tasks} | ${r.sources} | ${r.estimatedMicros} | ${r.actualMicros} | ${r.driftPct === null ? '-' : `${r.driftPct.toFixed(2)}%`} |`,
    ),
    '',
    `**within ±10%: ${s.within10}/${s.executions} = ${(s.shareWithin10Pct * 100).toFixed(1)}%** (target ≥ 95%)`,
    `drift: min ${s.drift.min}%, p5 ${s.drift.p5}%, p25 ${s.drift.p25}%, median ${s.drift.median}%, p75 ${s.drift.p75}%, p95 ${s.drift.p95}%, max ${s.drift.max}%`,
    `|drift|: median ${s.drift.medianAbs}%, p95 ${s.drift.p95Abs}%`,
    `histogram: ${s.histogram.map((h) => `${h.bucket}: ${h.count}`).join(', ')}`,
    `CPU seconds alone (history-guessed tasks ≥ 0.05 cpu-s): ${s.cpuTaskDrift.within10}/${s.cpuTaskDrift.tasks} within ±10%, median |error| ${s.cpuTaskDrift.medianAbsPct}%`,
    '',
    s.taskMisses.length ? 'tasks whose own estimate missed by more than 10%:' : 'no task missed by more than 10%.',
    ...s.taskMisses.map((m) => `- ${m.manifest} ${m.task}: est ${m.estimatedMicros} µ$, actual ${m.actualMicros} µ$ (${m.driftPct}%): ${m.reason}`),
  ];
  return `${lines.join('\n')}\n`;
}
