/** The execution record: plain data for execution.json, `status --json` and `run --json`. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/files.js';
import type { ExecutionRow, TaskRunRow } from '../store/executions.js';
import type { TaskUsage, WriteRecord } from './sandbox.types.js';

export interface TaskRecord {
  id: string;
  status: TaskRunRow['status'];
  exitCode: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  usage: TaskUsage | null;
  writes: WriteRecord[];
  commandDigest: string;
  reason?: string;
}

export interface ExecutionRecord {
  id: string;
  tenant: string;
  tenantId: string;
  subject: string;
  workflow: string;
  manifestDigest: string;
  manifestPath: string | null;
  status: ExecutionRow['status'];
  reason: string | null;
  publishedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  sandbox: string | null;
  apparmor: string | null;
  seccomp: { profile: string; arch: string } | null;
  tasks: TaskRecord[];
  cost: { estimatedMicros: number | null; actualMicros: number | null };
  dir: string | null;
}

/** Per-task details that live only in execution.json (the DB keeps the numbers). */
export interface TaskExtras {
  writes: WriteRecord[];
  cpuSec: number | null;
  peakRssMB: number | null;
}

function taskRecord(t: TaskRunRow, extra: TaskExtras | undefined): TaskRecord {
  const ran = t.wall_ms !== null;
  return {
    id: t.task_id,
    status: t.status,
    exitCode: t.exit_code,
    startedAt: t.started_at,
    finishedAt: t.finished_at,
    usage: ran
      ? {
          cpuSec: extra?.cpuSec ?? (t.cpu_ms === null ? null : t.cpu_ms / 1000),
          peakRssMB: extra?.peakRssMB ?? (t.peak_rss_kb === null ? null : Math.round((t.peak_rss_kb / 1024) * 1000) / 1000),
          wallSec: t.wall_ms! / 1000,
          bytesWritten: t.bytes_written ?? 0,
        }
      : null,
    writes: extra?.writes ?? [],
    commandDigest: t.command_digest,
    ...(t.reason ? { reason: t.reason } : {}),
  };
}

/** Builds the record from the store rows (plus extras known to the runner). */
export function buildRecord(
  row: ExecutionRow,
  tasks: TaskRunRow[],
  tenantName: string,
  extras: ReadonlyMap<string, TaskExtras> = new Map(),
  seccomp: ExecutionRecord['seccomp'] = null,
): ExecutionRecord {
  return {
    id: row.id,
    tenant: tenantName,
    tenantId: row.tenant_id,
    subject: row.subject,
    workflow: row.workflow_name,
    manifestDigest: row.manifest_digest,
    manifestPath: row.manifest_path,
    status: row.status,
    reason: row.reason,
    publishedAt: row.published_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    sandbox: row.sandbox,
    apparmor: row.apparmor,
    seccomp,
    tasks: tasks.map((t) => taskRecord(t, extras.get(t.task_id))),
    cost: { estimatedMicros: row.estimated_cost_micros, actualMicros: row.actual_cost_micros },
    dir: row.dir,
  };
}

/**
 * Writes execution.json atomically (temp file + rename, on libuv's thread pool; the temp name carries
 * the pid, recovery removes a dead writer's leftovers). `beforeRename` is the crash tests' failpoint.
 */
export async function writeRecordFile(dir: string, record: ExecutionRecord, opts: { beforeRename?: () => void } = {}): Promise<void> {
  await writeFileAtomic(join(dir, 'execution.json'), `${JSON.stringify(record, null, 2)}\n`, opts);
}

/** Reads execution.json, or undefined. */
export function readRecordFile(dir: string): ExecutionRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'execution.json'), 'utf8')) as ExecutionRecord;
  } catch {
    return undefined;
  }
}

/** Extras recovered from a previous execution.json (writes survive in the file, not the DB). */
export function extrasFromFile(dir: string | null): Map<string, TaskExtras> {
  const m = new Map<string, TaskExtras>();
  const rec = dir ? readRecordFile(dir) : undefined;
  for (const t of rec?.tasks ?? []) m.set(t.id, { writes: t.writes, cpuSec: t.usage?.cpuSec ?? null, peakRssMB: t.usage?.peakRssMB ?? null });
  return m;
}
