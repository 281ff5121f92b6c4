/**
 * One decision's evaluation, as plain data in and out, so it runs the same in-process (the one-shot
 * CLI) and on an evaluation thread (pool-worker.ts). Two phases: compile (through the warm cache,
 * untimed) and evaluate (timed). The evaluation time the PDP budget applies to is the smaller of the
 * wall time and the CPU time this process used meanwhile: an upper bound of the evaluation's own CPU
 * time that does not grow when other processes hold the cores (see ADR 0016).
 */
import { performance } from 'node:perf_hooks';
import { compileWarm, type EvalPack, evaluatePack, type PackVerdict } from './evaluate.js';

/** A pack to evaluate, with its warm-cache key (digest and signature). */
export interface JobPack extends EvalPack {
  key: string;
}

export interface EvalJob {
  packs: JobPack[];
  input: unknown;
  data: unknown;
  explain: boolean;
  /** The interpreter's own wall-clock limit per pack (the cut-off), ms. */
  cutoffMs: number;
  /** Injected evaluation delay (MAESTRO_PDP_DELAY_MS, chaos drills), ms: counted as evaluation time. */
  delayMs: number;
}

export type PackOutcome = { id: string; kind: 'ok'; verdict: PackVerdict } | { id: string; kind: 'compile' | 'error'; message: string };

export interface EvalResult {
  outcomes: PackOutcome[];
  /** The budgeted evaluation time: min(wall, process CPU) plus any injected delay, ms. */
  evalMs: number;
  /** Wall time of the evaluation phase, ms. */
  wallMs: number;
  /** Compiling (warm-cache misses only; not part of the budget), ms. */
  compileMs: number;
  /** Warm-cache lookups of this job. */
  hits: number;
  misses: number;
}

export interface CompiledJob {
  outcomes: Map<string, PackOutcome>;
  compileMs: number;
  hits: number;
  misses: number;
}

/** Compile every pack of a job through the warm cache (untimed); compile errors become outcomes. */
export function compileJob(job: EvalJob): CompiledJob {
  const t0 = performance.now();
  const outcomes = new Map<string, PackOutcome>();
  let hits = 0;
  let misses = 0;
  for (const p of job.packs) {
    try {
      if (compileWarm(p, p.key).hit) hits++;
      else misses++;
    } catch (err) {
      misses++;
      outcomes.set(p.meta.id, { id: p.meta.id, kind: 'compile', message: (err as Error).message });
    }
  }
  return { outcomes, compileMs: performance.now() - t0, hits, misses };
}

/** Block this thread for `ms` (the injected delay stands for a slow, synchronous evaluation). */
export function sleepSync(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Evaluate a compiled job; returns every pack's outcome and the timed figures.
 * @example const r = evaluateJob(job, compileJob(job)); r.evalMs
 */
export function evaluateJob(job: EvalJob, compiled: CompiledJob): EvalResult {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  sleepSync(job.delayMs);
  const t1 = performance.now();
  const outcomes: PackOutcome[] = [];
  for (const p of job.packs) {
    const failed = compiled.outcomes.get(p.meta.id);
    if (failed) {
      outcomes.push(failed);
      continue;
    }
    try {
      const verdict = evaluatePack(p, job.input, job.data, { timeoutMs: job.cutoffMs, explain: job.explain, key: p.key });
      outcomes.push({ id: p.meta.id, kind: 'ok', verdict });
    } catch (err) {
      outcomes.push({ id: p.meta.id, kind: 'error', message: (err as Error).message });
    }
  }
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const evalWall = t2 - t1;
  return {
    outcomes,
    evalMs: Math.min(evalWall, cpuMs) + (t1 - t0),
    wallMs: t2 - t0,
    compileMs: compiled.compileMs,
    hits: compiled.hits,
    misses: compiled.misses,
  };
}
