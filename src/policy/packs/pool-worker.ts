/**
 * An evaluation thread of the policy pool (pool.ts): compiles packs into its warm cache, says when
 * evaluation starts (the cut-off counts from there), evaluates, and posts the plain-data result.
 */
import { type MessagePort, workerData } from 'node:worker_threads';
import { compileJob, type EvalJob, evaluateJob } from './eval-core.js';
import { isPackWarm, setPackCacheMax } from './evaluate.js';

const { cacheMax, port, state } = workerData as { cacheMax: number; port: MessagePort; state: SharedArrayBuffer };
setPackCacheMax(cacheMax);
// Shared with the pool: [job id, phase (1 compiling, 2 evaluating, 3 done)] and [phase start, Date.now() ms].
const ints = new Int32Array(state, 0, 2);
const times = new Float64Array(state, 8, 1);

function phase(id: number, p: number): void {
  times[0] = Date.now();
  Atomics.store(ints, 0, id);
  Atomics.store(ints, 1, p);
}

port.on('message', (m: { id: number; job: EvalJob }) => {
  // The pool leaves out the source of packs it sent before; if one was evicted here since, ask again.
  const missing = m.job.packs.filter((p) => p.modules.length === 0 && !isPackWarm(p.key)).map((p) => p.key);
  if (missing.length > 0) {
    port.postMessage({ id: m.id, type: 'resend', keys: missing });
    return;
  }
  phase(m.id, 1);
  const compiled = compileJob(m.job);
  phase(m.id, 2);
  port.postMessage({ id: m.id, type: 'evaluating', hits: compiled.hits, misses: compiled.misses });
  const result = evaluateJob(m.job, compiled);
  port.postMessage({ id: m.id, type: 'done', result });
  phase(m.id, 3);
});
