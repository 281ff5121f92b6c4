/**
 * The evidence of an ended execution, put in the database (ADR 0030) so that any replica can serve it:
 *   - logs/<task>.ndjson are rewritten from the database's lines before the receipt is signed, so the
 *     receipt's log digests are those of what the database renders, on any host;
 *   - the top files (execution.json, manifest.yaml, plan.json, decisions.json, the receipt) and the
 *     outputs (out/**) are stored as blobs after it, within a per-execution cap.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tempNameFor } from '../core/files.js';
import { sha256Hex, walkFilesAsync } from '../receipts/index.js';
import type { Db } from '../store/index.js';
import { type EvidenceFileRow, evidenceFileSizes, evidenceFiles, loggedTasks, putEvidenceFiles, readLogPage } from '../store/logs.js';
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

/**
 * Rewrites logs/<task>.ndjson of every task in `tasks` from the database; other .ndjson files go.
 * The files are written on libuv's thread pool, each to a temp file renamed into place (a kill -9
 * leaves the old complete log or the new one); the database is read page by page (bounded memory).
 */
export async function materialiseLogs(db: Db, executionId: string, dir: string, tasks: readonly string[]): Promise<void> {
  const logsDir = join(dir, 'logs');
  let names: string[];
  try {
    names = await readdir(logsDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const keep = new Set(tasks.map((t) => `${t}.ndjson`));
  for (const name of names) if (name.endsWith('.ndjson') && !keep.has(name)) await rm(join(logsDir, name), { force: true });
  for (const task of tasks) {
    const path = join(logsDir, `${task}.ndjson`);
    const tmp = tempNameFor(path);
    const fh = await open(tmp, 'w', 0o600);
    try {
      let after = 0;
      for (;;) {
        const page = readLogPage(db, executionId, { afterSeq: after, task });
        if (page.length === 0) break;
        await fh.write(page.map((r) => ndjsonRecord(r.ts, r.stream, r.line_json)).join(''));
        after = page[page.length - 1]!.seq;
      }
    } catch (err) {
      await fh.close();
      await rm(tmp, { force: true });
      throw err;
    }
    await fh.close();
    await rename(tmp, path);
  }
}

async function readIfPresent(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Top files written once at publish and stored with the admission (ADR 0031): not read again at seal. */
const PUBLISHED_TOP_FILES: ReadonlySet<string> = new Set(['decisions.json', 'manifest.yaml', 'plan.json']);

/**
 * Stores the top files and the outputs of `dir`: the top files in one transaction, each output in
 * its own (bounded memory); the files are read on libuv's thread pool. A published file the
 * admission stored already is neither read nor stored again (it is never rewritten after it), but
 * counts toward the cap. Outputs past `capBytes` are not stored; returns what was left out, for the
 * caller to report.
 */
export async function sealEvidenceFiles(
  db: Db,
  executionId: string,
  dir: string,
  at: string,
  capBytes: number,
): Promise<{ stored: number; bytes: number; omitted: string[] }> {
  const already = evidenceFileSizes(db, executionId);
  let bytes = 0;
  const top: EvidenceFileRow[] = [];
  for (const path of EVIDENCE_TOP_FILES) {
    const size = PUBLISHED_TOP_FILES.has(path) ? already.get(path) : undefined;
    if (size !== undefined) {
      bytes += size;
      continue;
    }
    const content = await readIfPresent(join(dir, path));
    if (content === undefined) continue;
    bytes += content.length;
    top.push({ path, size: content.length, sha256: sha256Hex(content), content });
  }
  if (top.length > 0) putEvidenceFiles(db, executionId, top, at);
  let stored = top.length;
  const omitted: string[] = [];
  for (const f of (await walkFilesAsync(dir, 'out')).files) {
    const content = await readIfPresent(f.absPath);
    if (content === undefined) continue;
    if (bytes + content.length > capBytes) {
      omitted.push(f.path);
      continue;
    }
    bytes += content.length;
    putEvidenceFiles(db, executionId, [{ path: f.path, size: content.length, sha256: sha256Hex(content), content }], at);
    stored += 1;
  }
  return { stored, bytes, omitted };
}

/**
 * Writes an execution's evidence from the database into `dir` (an empty private directory): the
 * stored files and logs/<task>.ndjson rendered from its lines. Returns the receipt's subjects that
 * the database does not hold (outputs left out by the cap), so the caller can refuse an incomplete pack.
 * @example const { missing } = await materialiseEvidence(db, 'ex_1', tmp);
 */
export async function materialiseEvidence(db: Db, executionId: string, dir: string): Promise<{ missing: string[] }> {
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
  await materialiseLogs(db, executionId, dir, tasks);
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
