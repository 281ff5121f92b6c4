/**
 * Export an execution as a deterministic, signed disclosure pack (zip):
 *   execution.json, manifest.yaml, plan.json, decisions.json, receipt.sigstore.json,
 *   logs/*.ndjson, out/<task>/..., index.json (path, size, sha256 of every other entry, plus a
 *   content hash) and index.sig.json (a sigstore bundle: message signature over index.json).
 * Two passes over the data, both streaming: hash everything (the index comes first in path order),
 * then zip it, re-hashing on the way to catch a file that changed in between. The pack is written
 * to a temporary file next to the target and renamed into place: nothing half-written is left.
 */
import { createWriteStream, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Context } from '../core/context.js';
import { writerAlive, writerTag } from '../core/proc.js';
import {
  canonicalJsonFile,
  comparePaths,
  type ExecutionRecordLike,
  ensureSigningKey,
  loadSigningKey,
  RECEIPT_FILE,
  sha256File,
  signBlobBundle,
  subjectFiles,
  writeReceipt,
} from '../receipts/index.js';
import type { ExportOptions, ExportResult, ProgressEvent } from './disclose.types.js';
import { DiscloseError, DiscloseNotFoundError, DiscloseUsageError } from './errors.js';
import { contentHash, INDEX_FILE, INDEX_FORMAT, INDEX_SIG_FILE, type PackIndex } from './pack-index.js';
import { parseS3Target } from './s3-target.js';
import { isCompressible, writeZip, type ZipInput, zipEpochFromEnv } from './zip.js';

const TOP_FILES = ['decisions.json', 'execution.json', 'manifest.yaml', 'plan.json', RECEIPT_FILE] as const;
const ID_RE = /^[A-Za-z0-9_-]{1,128}$/;

/** Where an execution lives in a state home; NotFound (exit 5) when absent. */
export function locateExecution(ctx: Pick<Context, 'home'>, executionId: string, sourceDir?: string): { dir: string; record: ExecutionRecordLike } {
  if (!ID_RE.test(executionId))
    throw new DiscloseUsageError('EXECUTION_ID_INVALID', `"${executionId}" is not an execution id`, { hint: 'ids look like ex_01jf8z6v3k9q2w7e5r4t1y0u8i' });
  const dir = sourceDir ?? join(ctx.home, 'executions', executionId);
  const recordPath = join(dir, 'execution.json');
  if (!existsSync(recordPath)) {
    throw new DiscloseNotFoundError('EXECUTION_NOT_FOUND', `execution ${executionId} not found in ${join(ctx.home, 'executions')}`, {
      hint: 'list executions with: maestro status --all',
    });
  }
  let record: ExecutionRecordLike;
  try {
    record = JSON.parse(readFileSync(recordPath, 'utf8')) as ExecutionRecordLike;
  } catch (cause) {
    throw new DiscloseError('EXECUTION_RECORD_INVALID', `${recordPath} is not valid JSON`, { cause });
  }
  return { dir, record: { ...record, id: typeof record.id === 'string' ? record.id : executionId } };
}

/**
 * Export one execution to a disclosure pack (and upload it when `to` is given).
 * @example const r = await exportPack(ctx, { executionId: 'ex_…', output: 'pack.zip' });
 */
export async function exportPack(ctx: Context, options: ExportOptions): Promise<ExportResult> {
  sweepStaleEvidenceDirs(ctx.home);
  const { dir, record } = locateExecution(ctx, options.executionId, options.sourceDir);
  checkExportable(record, options);
  const output = resolve(ctx.cwd, options.output ?? `${options.executionId}.disclosure.zip`);
  if (options.to) parseS3Target(options.to, basename(output)); // a bad target fails before any work
  const onProgress = options.onProgress ?? (() => {});
  ensureSigningKey(ctx);
  let receiptCreated = false;
  if (!existsSync(join(dir, RECEIPT_FILE))) {
    await writeReceipt(ctx, dir, record);
    receiptCreated = true;
  }
  const write = (known: ReadonlyMap<string, string>) => packOnce(ctx, dir, record.id, output, onProgress, known);
  // Logs and outputs are already hashed in the receipt: pass 1 takes those digests and pass 2 checks
  // every byte against them. If a file no longer matches its receipt, hash everything and start again.
  const known = receiptDigests(dir);
  const p = await write(known).catch((err: unknown) => {
    if (known.size > 0 && err instanceof DiscloseError && err.code === 'ZIP_INPUT_CHANGED') return write(new Map());
    throw err;
  });
  const { written, index, key, skipped, total, entries } = p;
  const result: ExportResult = {
    executionId: record.id,
    path: output,
    bytes: written.bytes,
    sha256: written.sha256,
    entries,
    contentBytes: total,
    contentHash: index.contentHash,
    keyId: key.id,
    receiptCreated,
    skipped,
  };
  if (options.to) {
    const { uploadPack } = await import('./upload.js');
    result.upload = await uploadPack(ctx, output, { ...options.upload, to: options.to, onProgress, sha256: written.sha256 });
  }
  return result;
}

// One attempt: pass 1 (hashes, except those given in `known`), sign the index, pass 2 (zip).
async function packOnce(
  ctx: Context,
  dir: string,
  executionId: string,
  output: string,
  onProgress: (e: ProgressEvent) => void,
  known: ReadonlyMap<string, string>,
) {
  const { inputs, skipped, total } = await hashInputs(dir, onProgress, known);
  const { index, indexBytes, sigBytes, key } = await signedIndex(ctx, executionId, inputs);
  const zipInputs: ZipInput[] = [...inputs, { path: INDEX_FILE, data: indexBytes }, { path: INDEX_SIG_FILE, data: sigBytes }];
  const written = await writeAtomically(output, zipInputs, {
    mtimeMs: zipEpochFromEnv(ctx.env),
    total: total + indexBytes.length + sigBytes.length,
    onProgress,
    ctx,
  });
  return { written, index, key, skipped, total, entries: zipInputs.length };
}

// name → sha256 of the receipt's subjects (unverified here: pass 2 re-hashes every byte); empty if unreadable.
function receiptDigests(dir: string): Map<string, string> {
  try {
    const bundle = JSON.parse(readFileSync(join(dir, RECEIPT_FILE), 'utf8')) as { dsseEnvelope?: { payload?: string } };
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope?.payload ?? '', 'base64').toString('utf8')) as {
      subject?: Array<{ name?: unknown; digest?: { sha256?: unknown } }>;
    };
    const out = new Map<string, string>();
    for (const s of statement.subject ?? [])
      if (typeof s.name === 'string' && typeof s.digest?.sha256 === 'string' && /^[0-9a-f]{64}$/.test(s.digest.sha256)) out.set(s.name, s.digest.sha256);
    return out;
  } catch {
    return new Map();
  }
}

// The caller's tenant must own the execution (platform admins see all), and it must have ended.
function checkExportable(record: ExecutionRecordLike, options: ExportOptions): void {
  if (options.caller && !options.caller.platformAdmin && !tenantMatches(record.tenantId ?? record.tenant, options.caller)) {
    // Same answer as a missing execution: do not reveal other tenants' executions.
    throw new DiscloseNotFoundError('EXECUTION_NOT_FOUND', `execution ${options.executionId} not found in your tenant "${options.caller.tenantName}"`, {
      hint: 'list executions with: maestro status --all',
    });
  }
  if (record.status === 'queued' || record.status === 'running') {
    throw new DiscloseError('EXECUTION_NOT_FINISHED', `execution ${record.id} is still ${record.status}: its evidence is not final`, {
      hint: `wait for it to end (maestro status ${record.id}), then export`,
    });
  }
}

// index.json (canonical JSON) and index.sig.json (message-signature bundle over its bytes).
async function signedIndex(ctx: Context, executionId: string, inputs: readonly HashedInput[]) {
  const index: PackIndex = {
    format: INDEX_FORMAT,
    executionId,
    algorithm: 'sha256',
    entries: inputs.map((i) => ({ path: i.path, size: i.size, sha256: i.sha256 })),
    contentHash: contentHash(inputs),
  };
  const indexBytes = Buffer.from(canonicalJsonFile(index), 'utf8');
  const key = loadSigningKey(ctx);
  const sigBytes = Buffer.from(canonicalJsonFile(await signBlobBundle(key, indexBytes)), 'utf8');
  return { index, indexBytes, sigBytes, key };
}

/** Whether an execution record's tenant (an id, a name, or {id, name}) is the caller's. */
export function tenantMatches(tenant: unknown, caller: { tenantId: string; tenantName: string }): boolean {
  if (tenant === undefined || tenant === null) return true; // records without a tenant predate tenancy
  if (typeof tenant === 'string') return tenant === caller.tenantId || tenant === caller.tenantName;
  const t = tenant as { id?: unknown; name?: unknown };
  return t.id === caller.tenantId || t.name === caller.tenantName;
}

type HashedInput = { path: string; file: string; size: number; sha256: string; store: boolean };

// Pass 1: every file that goes into the pack, hashed (streaming) unless its digest is known, sorted by path.
async function hashInputs(
  dir: string,
  onProgress: (e: ProgressEvent) => void,
  known: ReadonlyMap<string, string>,
): Promise<{ inputs: HashedInput[]; skipped: string[]; total: number }> {
  const { files, skipped } = subjectFiles(dir);
  const all = [
    ...TOP_FILES.filter((f) => existsSync(join(dir, f))).map((f) => ({ path: f, absPath: join(dir, f), size: statSync(join(dir, f)).size })),
    ...files,
  ];
  all.sort((a, b) => comparePaths(a.path, b.path));
  const inputs: HashedInput[] = [];
  let done = 0;
  const total = all.reduce((n, f) => n + f.size, 0);
  for (const f of all) {
    const digest = known.get(f.path);
    const h = digest
      ? { sha256: digest, size: f.size }
      : await sha256File(f.absPath, (n) => {
          done += n;
          onProgress({ phase: 'hash', bytes: done, total });
        });
    if (digest) {
      done += f.size;
      onProgress({ phase: 'hash', bytes: done, total });
    }
    inputs.push({ path: f.path, file: f.absPath, size: h.size, sha256: h.sha256, store: !isCompressible(f.absPath) });
  }
  return { inputs, skipped, total: inputs.reduce((n, i) => n + i.size, 0) };
}

// Pass 2: zip into a temp file beside the target, then rename (no half-written pack on failure).
async function writeAtomically(
  output: string,
  inputs: ZipInput[],
  o: { mtimeMs: number; total: number; onProgress: (e: ProgressEvent) => void; ctx: Context },
): Promise<{ bytes: number; sha256: string }> {
  if (!existsSync(dirname(output))) throw new DiscloseUsageError('OUTPUT_DIR_MISSING', `the directory of ${output} does not exist`);
  sweepStaleTemps(output);
  const tmp = join(dirname(output), `.${basename(output)}.${writerTag()}.${o.ctx.random.uuid()}.tmp`);
  const out = createWriteStream(tmp, { mode: 0o644 });
  try {
    const r = await writeZip(out, inputs, { mtimeMs: o.mtimeMs, onProgress: (bytes) => o.onProgress({ phase: 'zip', bytes, total: o.total }) });
    renameSync(tmp, output);
    return r;
  } catch (err) {
    out.destroy();
    rmSync(tmp, { force: true });
    if (err instanceof DiscloseError) throw err;
    throw new DiscloseError('EXPORT_WRITE_FAILED', `cannot write ${output}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Remove temp files an export of `output` left behind when it was killed: `.<name>.<writer>.<uuid>.tmp`
 * (the pack) and `<name>.upload.json.<writer>.tmp` (upload state) beside the output, where `<writer>`
 * is `<pid>.<start time>` (or a bare pid, older names). A temp whose writer is gone is removed: the pid
 * is dead, a zombie, or reused by a process that started at another time. Temp files of live exports
 * (this process or another) are left alone. Returns the paths removed.
 */
export function sweepStaleTemps(output: string): string[] {
  const dir = dirname(output);
  const prefix = `.${basename(output)}.`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  const uploadPrefix = `${basename(output)}.upload.json.`;
  for (const name of names) {
    if (!name.endsWith('.tmp')) continue;
    const m = name.startsWith(prefix)
      ? /^(\d{1,10})(?:\.(\d{1,20}))?\.[0-9a-f-]{1,64}\.tmp$/.exec(name.slice(prefix.length))
      : name.startsWith(uploadPrefix)
        ? /^(\d{1,10})(?:\.(\d{1,20}))?\.tmp$/.exec(name.slice(uploadPrefix.length))
        : null;
    if (!m || writerAlive(Number(m[1]), m[2])) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(join(dir, name));
  }
  return removed;
}

/** The prefix of the private directories an export lays a database-held execution out in (ADR 0030). */
export const EVIDENCE_DIR_PREFIX = 'runtime-evidence-';

/**
 * Removes what killed exports left in the state home: `runtime-evidence-<pid>.<start>-XXXXXX`
 * directories whose writer is gone (ADR 0038). An older name without its writer is removed once it is
 * a day old. Returns the paths removed.
 * @example sweepStaleEvidenceDirs(ctx.home);
 */
export function sweepStaleEvidenceDirs(home: string, nowMs = Date.now()): string[] {
  let names: string[];
  try {
    names = readdirSync(home);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(EVIDENCE_DIR_PREFIX)) continue;
    const path = join(home, name);
    const m = /^(\d{1,10})(?:\.(\d{1,20}))?-[A-Za-z0-9]{6}$/.exec(name.slice(EVIDENCE_DIR_PREFIX.length));
    if (m && writerAlive(Number(m[1]), m[2])) continue;
    if (!m) {
      try {
        if (nowMs - statSync(path).mtimeMs < 86_400_000) continue;
      } catch {
        continue;
      }
    }
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}

/** Whether `pid` is a running process: it exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  return writerAlive(pid, undefined);
}
