/** Human output for run, status, logs and cancel. */
import type { CancelResult, ExecutionRecord, ExecutionSummary, LogLine, TaskEvent } from '../runner/index.js';
import { bytes, fields, style, table } from './render.js';

function statusText(s: string): string {
  if (s === 'succeeded') return style.ok(s);
  if (s === 'failed' || s === 'denied') return style.bad(s);
  if (s === 'cancelled' || s === 'skipped') return style.warn(s);
  return s;
}

function num(n: number | null | undefined, unit: string): string {
  return n === null || n === undefined ? '-' : `${Math.round(n * 1000) / 1000}${unit}`;
}

/** The execution: header fields, then one row per task. */
export function renderExecution(
  r: Omit<ExecutionRecord, 'cost' | 'tasks'> & { tasks: ReadonlyArray<ExecutionRecord['tasks'][number] & { failure?: { tail: string[] } }> },
): string {
  const head = fields([
    ['execution', r.id],
    ['workflow', r.workflow],
    ['tenant', r.tenant],
    ['status', statusText(r.status) + (r.reason ? ` (${r.reason})` : '')],
    ['published', r.publishedAt],
    ['started', r.startedAt ?? '-'],
    ['finished', r.finishedAt ?? '-'],
    ['sandbox', `${r.sandbox ?? '-'}${r.seccomp ? ` (seccomp ${r.seccomp.profile}/${r.seccomp.arch}, apparmor ${r.apparmor ?? 'unavailable'})` : ''}`],
  ]);
  const rows = [['TASK', 'STATUS', 'EXIT', 'WALL', 'CPU', 'PEAK RSS', 'WRITTEN', 'NOTE']];
  for (const t of r.tasks) {
    rows.push([
      t.id,
      statusText(t.status),
      t.exitCode === null ? '-' : String(t.exitCode),
      num(t.usage?.wallSec, 's'),
      num(t.usage?.cpuSec, 's'),
      num(t.usage?.peakRssMB, ' MiB'),
      t.usage ? bytes(t.usage.bytesWritten) : '-',
      t.reason ?? '',
    ]);
  }
  return `${head}\n\n${table(rows)}${renderFailureTails(r.id, r.tasks)}`;
}

/** For each failed task, the last lines of its output (`failure.tail`), indented under a heading. */
function renderFailureTails(executionId: string, tasks: ReadonlyArray<{ id: string; status: string; failure?: { tail: string[] } }>): string {
  const parts: string[] = [];
  for (const t of tasks) {
    if (t.status !== 'failed' || !t.failure) continue;
    const head = style.bad(`${t.id} failed; last ${t.failure.tail.length} line${t.failure.tail.length === 1 ? '' : 's'} of its output:`);
    parts.push(
      t.failure.tail.length === 0
        ? `${style.bad(`${t.id} failed`)} (it printed nothing)`
        : `${head}\n${t.failure.tail.map((l) => `  ${style.dim('|')} ${l}`).join('\n')}`,
    );
    parts.push(style.dim(`  (all of it: maestro logs ${executionId} --task ${t.id})`));
  }
  return parts.length ? `\n\n${parts.join('\n')}` : '';
}

/** `status --all`. */
export function renderExecutionList(list: ExecutionSummary[]): string {
  if (list.length === 0) return 'no executions';
  return table([
    ['EXECUTION', 'WORKFLOW', 'STATUS', 'PUBLISHED', 'FINISHED'],
    ...list.map((e) => [e.id, e.workflow, statusText(e.status), e.publishedAt, e.finishedAt ?? '-']),
  ]);
}

/**
 * A task's text made safe for a terminal: C0 controls but tab, DEL, C1 controls and bidi overrides
 * are shown as \xNN / \uNNNN, so a task cannot write the clipboard (OSC 52), retitle the window or
 * move the cursor to forge a line. (`--json` keeps the exact text.)
 */
export function escapeControls(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: task output is shown to a terminal; the class matches the control and bidi characters it escapes
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

/** One log line: `task | line` (stderr lines marked; control characters escaped). */
export function renderLogLine(l: LogLine, width = 0): string {
  const mark = l.stream === 'stderr' ? style.warn('!') : ' ';
  return `${style.dim(l.task.padEnd(width))} ${mark}| ${escapeControls(l.line)}`;
}

export function renderCancel(r: CancelResult): string {
  const lines = r.cancelled.map((id) => `cancelled ${id}`);
  for (const id of r.alreadyFinished) lines.push(`${id} had already finished`);
  return lines.length ? lines.join('\n') : 'nothing to cancel';
}

/** Live progress line (stderr) while `run` executes. */
export function renderTaskEvent(e: TaskEvent): string {
  if (e.phase === 'started') return `${style.dim('started ')} ${e.task}`;
  if (e.phase === 'waiting') return `${style.dim('waiting ')} for a quota slot${e.position ? ` (queue position ${e.position})` : ''}`;
  const wall = e.wallSec === undefined ? '' : ` in ${num(e.wallSec, 's')}`;
  return `${statusText(e.status ?? 'failed').padEnd(9)} ${e.task}${wall}${e.reason ? ` (${e.reason})` : ''}`;
}
