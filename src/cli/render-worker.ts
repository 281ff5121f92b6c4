/** Human output of `maestro worker` (exec-queue room): pool events on stderr, the summary on stdout. */

import type { WorkerSummary } from '../engine/index.js';
import type { PoolEvent } from '../runner/index.js';

/** One line per pool event. */
export function renderPoolEvent(e: PoolEvent): string {
  const id = e.id ? ` ${e.id}` : '';
  switch (e.type) {
    case 'claimed':
      return `claimed${id}`;
    case 'finished':
      return `${e.status ?? 'ended'}${id}${e.reason ? ` (${e.reason})` : ''}`;
    case 'released':
      return `released${id} (back to the queue: no task had started)`;
    case 'reclaimed':
      return `reclaimed${id}: ${e.status}${e.reason ? ` (${e.reason})` : ''}`;
    case 'stopping':
      return `stopping: ${e.reason ?? ''}`;
    default:
      return `error${id}: ${e.reason ?? ''}`;
  }
}

/** The summary when the pool stops. */
export function renderWorkerSummary(s: WorkerSummary): string {
  if (s.skipped) return `worker not started: ${s.skipped}`;
  return (
    `worker ${s.worker} stopped (${s.stoppedBy}): ${s.claimed} claimed, ${s.succeeded} succeeded, ${s.failed} failed, ` +
    `${s.cancelled} cancelled, ${s.released} released, ${s.reclaimed} reclaimed from dead workers`
  );
}

/** What serve's embedded pool says on stderr (errors and reclaims only), inside serve or in its child. */
export function renderServePoolNote(e: PoolEvent): string | null {
  if (e.type !== 'error' && e.type !== 'reclaimed') return null;
  return `maestro serve: worker pool ${e.type}${e.id ? ` ${e.id}` : ''}: ${e.reason ?? e.status ?? ''}`;
}
