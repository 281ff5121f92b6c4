/**
 * Evaluation off the event loop: a small pool of worker threads, each holding compiled packs warm
 * (its own bounded LRU keyed by digest and signature). One job per thread at a time; jobs wait in a
 * bounded queue (that wait is not evaluation time). A job that does not finish by its cut-off is cut
 * off: the thread is terminated and replaced, the job's decision is denied fail-closed, and the other
 * threads (and the server's event loop) carry on. Long-lived processes (the server, workers) acquire
 * the shared pool; the one-shot CLI evaluates in-process (ADR 0016).
 */
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { builtScript } from '../../core/files.js';
import { PackError } from './errors.js';
import type { EvalJob, EvalResult } from './eval-core.js';
import { cacheMaxFrom, countCacheLookups } from './warm-cache.js';

/** What a pooled evaluation returns: the result, or why there is none (each denies fail-closed). */
export type PoolOutcome =
  | { kind: 'done'; result: EvalResult }
  | { kind: 'cut-off'; phase: 'compile' | 'evaluate'; afterMs: number }
  | { kind: 'failed'; message: string }
  | { kind: 'rejected'; message: string };

export interface PoolOptions {
  /** Evaluation threads (default: min(2, cores)). */
  threads: number;
  /** Jobs waiting for a thread, at most. */
  queueMax: number;
  /** Compiled packs kept per thread. */
  cacheMax: number;
  /** Added to a job's cut-off before the thread is terminated (the interpreter's own limit goes first), ms. */
  graceMs: number;
  /** Longest a thread may spend compiling a job's packs, ms. */
  compileLimitMs: number;
  /** Heap bound per thread, MiB: a pack that exhausts it kills its thread only. */
  heapMb: number;
}

export interface PoolStats {
  threads: number;
  busy: number;
  queued: number;
  completed: number;
  cutOffs: number;
  respawns: number;
  rejected: number;
}

interface Entry {
  job: EvalJob;
  resolve: (o: PoolOutcome) => void;
}

interface Slot {
  worker: Worker;
  /** Where the thread posts its messages (drained synchronously before any cut-off). */
  port: MessagePort;
  /** What the thread is doing, written by the thread itself: [job id, phase], [phase start ms]. */
  ints: Int32Array;
  times: Float64Array;
  current: (Entry & { id: number; timer: NodeJS.Timeout; started: number }) | null;
  /** Pack keys whose source this thread was sent (bounded; cleared when full). */
  sent: Set<string>;
}

const PHASE_COMPILING = 1;
const PHASE_EVALUATING = 2;
const PHASE_DONE = 3;

type FromWorker =
  | { id: number; type: 'evaluating'; hits: number; misses: number }
  | { id: number; type: 'done'; result: EvalResult }
  | { id: number; type: 'resend'; keys: string[] };

/** The evaluation thread's script, next to this module (dist) or in the built dist/ (tests run from src/). */
function workerScript(): URL {
  const found = builtScript(import.meta.url, 'policy/packs/pool-worker.js');
  if (found) return pathToFileURL(found);
  throw new PackError('POLICY_POOL_SCRIPT_MISSING', 'cannot find the policy evaluation thread script (pool-worker.js)', { hint: 'run npm run build' });
}

/** A pool of policy evaluation threads. */
export class EvalPool {
  private readonly opts: PoolOptions;
  private readonly script: URL;
  private readonly slots: Slot[] = [];
  private readonly queue: Entry[] = [];
  private nextId = 1;
  private closed = false;
  private readonly counters = { completed: 0, cutOffs: 0, respawns: 0, rejected: 0 };

  constructor(opts: PoolOptions) {
    this.opts = { ...opts, threads: Math.max(1, opts.threads), queueMax: Math.max(0, opts.queueMax) };
    this.script = workerScript();
    for (let i = 0; i < this.opts.threads; i++) this.slots.push(this.spawn());
  }

  /**
   * Evaluate a job on a free thread (after the jobs queued before it).
   * @example const o = await pool.run(job); if (o.kind === 'done') o.result.evalMs
   */
  run(job: EvalJob): Promise<PoolOutcome> {
    if (this.closed) return Promise.resolve({ kind: 'rejected', message: 'the policy evaluation pool is shut down' });
    return new Promise<PoolOutcome>((resolve) => {
      const free = this.slots.find((s) => s.current === null);
      if (free) return this.dispatch(free, { job, resolve });
      if (this.queue.length >= this.opts.queueMax) {
        this.counters.rejected++;
        resolve({ kind: 'rejected', message: `the policy evaluation queue is full (${this.opts.queueMax} decisions waiting)` });
        return;
      }
      this.queue.push({ job, resolve });
    });
  }

  stats(): PoolStats {
    return { threads: this.slots.length, busy: this.slots.filter((s) => s.current).length, queued: this.queue.length, ...this.counters };
  }

  /** Stop every thread; queued and running jobs end as rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const e of this.queue.splice(0)) e.resolve({ kind: 'rejected', message: 'the policy evaluation pool is shutting down' });
    await Promise.all(
      this.slots.map(async (s) => {
        if (s.current) this.finish(s, { kind: 'rejected', message: 'the policy evaluation pool is shutting down' });
        s.port.close();
        await s.worker.terminate();
      }),
    );
  }

  private spawn(): Slot {
    const { port1, port2 } = new MessageChannel();
    const state = new SharedArrayBuffer(16);
    const worker = new Worker(this.script, {
      workerData: { cacheMax: this.opts.cacheMax, port: port2, state },
      transferList: [port2],
      resourceLimits: { maxOldGenerationSizeMb: this.opts.heapMb },
      stdout: false,
      stderr: false,
    });
    worker.unref();
    port1.unref();
    const slot: Slot = { worker, port: port1, ints: new Int32Array(state, 0, 2), times: new Float64Array(state, 8, 1), current: null, sent: new Set() };
    port1.on('message', (m: FromWorker) => this.onMessage(slot, m));
    const lost = (why: string) => {
      if (this.closed || !this.slots.includes(slot)) return;
      if (slot.current) this.finish(slot, { kind: 'failed', message: `the evaluation thread stopped: ${why}` });
      this.replace(slot);
    };
    worker.on('error', (err) => lost(err.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    return slot;
  }

  private dispatch(slot: Slot, entry: Entry): void {
    const id = this.nextId++;
    const timer = setTimeout(() => this.check(slot), this.opts.compileLimitMs);
    slot.current = { ...entry, id, timer, started: Date.now() };
    slot.port.postMessage({ id, job: this.trimmed(slot, entry.job) });
  }

  /** The job without the source of packs this thread has already been sent (it compiled them). */
  private trimmed(slot: Slot, job: EvalJob): EvalJob {
    if (slot.sent.size > this.opts.cacheMax) slot.sent.clear();
    const packs = job.packs.map((p) => {
      if (slot.sent.has(p.key)) return { ...p, modules: [] };
      slot.sent.add(p.key);
      return p;
    });
    return { ...job, packs };
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    const cur = slot.current;
    if (!cur || cur.id !== m.id) return;
    if (m.type === 'resend') {
      // The thread evicted packs it was sent before: send this job again in full.
      for (const k of m.keys) slot.sent.delete(k);
      slot.port.postMessage({ id: cur.id, job: cur.job });
      return;
    }
    if (m.type === 'evaluating') {
      countCacheLookups(m.hits, m.misses); // counted now: a job cut off later still compiled
      clearTimeout(cur.timer);
      cur.started = Date.now();
      cur.timer = setTimeout(() => this.check(slot), cur.job.cutoffMs + this.opts.graceMs);
      return;
    }
    this.counters.completed++;
    this.finish(slot, { kind: 'done', result: m.result });
  }

  /**
   * A job's timer fired. The timer may fire late, after messages the thread has long posted (a busy
   * event loop runs expired timers first), so judge by what the thread itself says: take any answer
   * already posted, give a phase that started late its full time, and cut off only a real overrun.
   */
  private check(slot: Slot): void {
    const cur = slot.current;
    if (!cur) return;
    for (let m = receiveMessageOnPort(slot.port); m && slot.current === cur; m = receiveMessageOnPort(slot.port)) this.onMessage(slot, m.message as FromWorker);
    if (slot.current !== cur) return;
    const mine = Atomics.load(slot.ints, 0) === cur.id;
    const phase = mine ? Atomics.load(slot.ints, 1) : 0;
    const limit = phase === PHASE_EVALUATING ? cur.job.cutoffMs + this.opts.graceMs : this.opts.compileLimitMs;
    const since = phase === PHASE_EVALUATING || phase === PHASE_COMPILING ? slot.times[0]! : cur.started;
    const left = since + limit - Date.now();
    if (phase === PHASE_DONE || left > 0) {
      // Done (its answer is on the way) or still within its time: look again later.
      cur.timer = setTimeout(() => this.check(slot), Math.max(5, phase === PHASE_DONE ? 50 : left));
      return;
    }
    this.cutOff(slot, phase === PHASE_EVALUATING ? 'evaluate' : 'compile', Date.now() - since);
  }

  /** Terminate a thread whose job overran, answer the job, and put a fresh thread in its place. */
  private cutOff(slot: Slot, phase: 'compile' | 'evaluate', afterMs: number): void {
    const cur = slot.current;
    if (!cur) return;
    this.counters.cutOffs++;
    this.finish(slot, { kind: 'cut-off', phase, afterMs: Math.round(afterMs) });
    this.replace(slot);
  }

  private replace(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    slot.worker.removeAllListeners('exit');
    slot.worker.removeAllListeners('error');
    slot.worker.on('error', () => undefined);
    slot.port.removeAllListeners('message');
    slot.port.close();
    void slot.worker.terminate();
    this.counters.respawns++;
    const fresh = this.spawn();
    this.slots[i] = fresh;
    this.next(fresh);
  }

  private finish(slot: Slot, outcome: PoolOutcome): void {
    const cur = slot.current;
    if (!cur) return;
    clearTimeout(cur.timer);
    slot.current = null;
    cur.resolve(outcome);
    this.next(slot);
  }

  private next(slot: Slot): void {
    if (this.closed || slot.current || !this.slots.includes(slot)) return;
    const e = this.queue.shift();
    if (e) this.dispatch(slot, e);
  }
}

/** Pool options from the environment: MAESTRO_POLICY_THREADS (0 disables), _QUEUE_MAX, _CACHE_MAX, _THREAD_MB. */
export function poolOptionsFrom(env: Readonly<Record<string, string | undefined>>): PoolOptions {
  const int = (name: string, dflt: number, min: number): number => {
    const v = Number(env[name]);
    return env[name] !== undefined && env[name] !== '' && Number.isInteger(v) && v >= min ? v : dflt;
  };
  return {
    threads: int('MAESTRO_POLICY_THREADS', Math.min(2, availableParallelism()), 0),
    queueMax: int('MAESTRO_POLICY_QUEUE_MAX', 10_000, 0),
    cacheMax: cacheMaxFrom(env),
    graceMs: int('MAESTRO_POLICY_CUTOFF_GRACE_MS', 250, 0),
    compileLimitMs: int('MAESTRO_POLICY_COMPILE_LIMIT_MS', 10_000, 1),
    heapMb: int('MAESTRO_POLICY_THREAD_MB', 512, 16),
  };
}

let shared: { pool: EvalPool; refs: number } | undefined;

/**
 * Take a reference on the process's shared evaluation pool, starting it on first use. Returns null
 * when MAESTRO_POLICY_THREADS=0 (evaluation stays in-process). Pair with releasePolicyPool().
 * @example const pool = acquirePolicyPool(ctx.env); … await releasePolicyPool();
 */
export function acquirePolicyPool(env: Readonly<Record<string, string | undefined>>): EvalPool | null {
  if (shared) {
    shared.refs++;
    return shared.pool;
  }
  const opts = poolOptionsFrom(env);
  if (opts.threads === 0) return null;
  shared = { pool: new EvalPool(opts), refs: 1 };
  return shared.pool;
}

/** Drop a reference; the last one stops the threads. */
export async function releasePolicyPool(): Promise<void> {
  if (!shared) return;
  shared.refs--;
  if (shared.refs > 0) return;
  const { pool } = shared;
  shared = undefined;
  await pool.close();
}

/** The shared pool, when a long-lived process has started one. */
export function activePolicyPool(): EvalPool | undefined {
  return shared?.pool;
}
