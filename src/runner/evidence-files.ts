/**
 * The evidence of an ended execution, put in the database (ADR 0030) so that any replica can serve it:
 *   - logs/<task>.ndjson are rewritten from the database's lines before the receipt is signed, so the
 *     receipt's log digests are those of what the database renders, on any host;
 *   - the top files (execution.json, manifest.yaml, plan.json, decisions.json, the receipt) and the
 *     outputs (out/**) are stored as blobs after it, within a per-execution cap.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sha256Hex, walkFiles } from '../receipts/index.js';
import type { Db } from '../store/index.js';
import { type EvidenceFileRow, evidenceFiles, loggedTasks, putEvidenceFiles, readLogPage } from '../store/logs.js';
import { ndjsonRecord } from './log-sink.js';

/** Files of an execution directory kept beside the logs and outputs (the disclosure pack's top entries). */
export const EVIDENCE_TOP_FILES = ['decisions.json', 'execution.json', 'manifest.yaml', 'plan.json', 'receipt.sigstore.json'] as const;
/** Default cap of stored evidence bytes per execution (MAESTRO_EVIDENCE_CAP_BYTES overrides). */
export const DEFAULT_EVIDENCE_CAP_BYTES = 256 * 1024 * 1024;

/** The evidence cap for a process environment. */
export function evidenceCapFromEnv(env: Readonly<Record<string, string | undefined>>): number {
  const n = Number(env.MAESTRO_EVIDENCE_CAP_BYTES);
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_EVIDENCE_CAP_BYTES;
}

/**
 * Calls `write` with the ndjson text of one task's log, page by page (bounded memory).
 * @example renderTaskLog(db, 'ex_1', 'build', (t) => chunks.push(t));
 */
export function renderTaskLog(db: Db, executionId: string, task: string, write: (text: string) => void): void {
  let after = 0;
  for (;;) {
    const page = readLogPage(db, executionId, { afterSeq: after, task });
    if (page.length === 0) return;
    write(page.map((r) => ndjsonRecord(r.ts, r.stream, r.line_json)).join(''));
    after = page[page.length - 1]!.seq;
  }
}

/** Rewrites logs/<task>.ndjson of every task in `tasks` from the database; other .ndjson files go. */
export function materialiseLogs(db: Db, executionId: string, dir: string, tasks: readonly string[]): void {
  const logsDir = join(dir, 'logs');
  if (!existsSync(logsDir)) return;
  const keep = new Set(tasks.map((t) => `${t}.ndjson`));
  for (const name of readdirSync(logsDir)) if (name.endsWith('.ndjson') && !keep.has(name)) rmSync(join(logsDir, name), { force: true });
  for (const task of tasks) {
    const path = join(logsDir, `${task}.ndjson`);
    const tmp = `${path}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      renderTaskLog(db, executionId, task, (text) => writeSync(fd, text));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  }
}

/**
 * Stores the top files and the outputs of `dir` (one transaction per file). Outputs past `capBytes`
 * are not stored; returns what was left out, for the caller to report.
 */
export function sealEvidenceFiles(
  db: Db,
  executionId: string,
  dir: string,
  at: string,
  capBytes: number,
): { stored: number; bytes: number; omitted: string[] } {
  const top = EVIDENCE_TOP_FILES.filter((f) => existsSync(join(dir, f))).map((f) => ({ path: f, absPath: join(dir, f) }));
  const out = walkFiles(dir, 'out').files;
  let bytes = 0;
  let stored = 0;
  const omitted: string[] = [];
  for (const f of [...top, ...out]) {
    const content = readFileSync(f.absPath);
    if (bytes + content.length > capBytes && f.path.startsWith('out/')) {
      omitted.push(f.path);
      continue;
    }
    bytes += content.length;
    const row: EvidenceFileRow = { path: f.path, size: content.length, sha256: sha256Hex(content), content };
    putEvidenceFiles(db, executionId, [row], at);
    stored += 1;
  }
  return { stored, bytes, omitted };
}

/**
 * Writes an execution's evidence from the database into `dir` (an empty private directory): the
 * stored files and logs/<task>.ndjson rendered from its lines. Returns the receipt's subjects that
 * the database does not hold (outputs left out by the cap), so the caller can refuse an incomplete pack.
 * @example const { missing } = materialiseEvidence(db, 'ex_1', tmp);
 */
export function materialiseEvidence(db: Db, executionId: string, dir: string): { missing: string[] } {
  const present = new Set<string>();
  let receipt: Buffer | undefined;
  let record: { tasks?: Array<{ id: string; startedAt: string | null }> } = {};
  for (const f of evidenceFiles(db, executionId)) {
    const path = join(dir, ...f.path.split('/'));
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, f.content, { mode: 0o600 });
    present.add(f.path);
    if (f.path === 'receipt.sigstore.json') receipt = f.content;
    if (f.path === 'execution.json') record = JSON.parse(f.content.toString('utf8')) as typeof record;
  }
  mkdirSync(join(dir, 'logs'), { recursive: true, mode: 0o700 });
  const started = (record.tasks ?? []).filter((t) => t.startedAt !== null).map((t) => t.id);
  const tasks = [...new Set([...started, ...loggedTasks(db, executionId)])].sort();
  materialiseLogs(db, executionId, dir, tasks);
  for (const t of tasks) present.add(`logs/${t}.ndjson`);
  return { missing: receiptSubjects(receipt).filter((name) => !name.startsWith('execution:') && !present.has(name)) };
}

// Subject names of a stored receipt (none when there is no receipt or it is unreadable: verify says why).
function receiptSubjects(receipt: Buffer | undefined): string[] {
  if (!receipt) return [];
  try {
    const bundle = JSON.parse(receipt.toString('utf8')) as { dsseEnvelope?: { payload?: string } };
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope?.payload ?? '', 'base64').toString('utf8')) as { subject?: Array<{ name?: unknown }> };
    return (statement.subject ?? []).map((s) => s.name).filter((n): n is string => typeof n === 'string');
  } catch {
    return [];
  }
}
