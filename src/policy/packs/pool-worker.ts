/**
 * An evaluation thread of the policy pool (pool.ts): compiles packs into its warm cache, says when
 * evaluation starts (the cut-off counts from there), evaluates, and posts the plain-data result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compileJob, evaluateJob, type EvalJob } from './eval-core.js';
import { setPackCacheMax } from './evaluate.js';

const port = parentPort;
if (!port) throw new Error('pool-worker.js runs only as a worker thread');
setPackCacheMax((workerData as { cacheMax: number }).cacheMax);

port.on('message', (m: { id: number; job: EvalJob }) => {
  const compiled = compileJob(m.job);
  port.postMessage({ id: m.id, type: 'evaluating', hits: compiled.hits, misses: compiled.misses });
  const result = evaluateJob(m.job, compiled);
  port.postMessage({ id: m.id, type: 'done', result });
});
