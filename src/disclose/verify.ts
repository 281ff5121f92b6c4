/**
 * Verify a disclosure pack offline: zip layout (central directory cross-checked with the local headers,
 * nothing before, between or after the entries), zip structure, data CRCs, the index signature, every entry's size and
 * sha256 against the index (both ways: nothing extra, nothing missing), and the receipt against
 * the trusted keys, its subjects against the pack's logs and outputs. The result lists every check;
 * ok only when all pass. Data is streamed entry by entry (constant memory).
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Context } from '../core/context.js';
import { type Check, RECEIPT_FILE, type TrustedKey, trustedKeysFromFiles, trustedKeysFromHome, verifyReceipt, verifySignedBundle } from '../receipts/index.js';
import type { VerifyOptions, VerifyResult } from './disclose.types.js';
import { DiscloseNotFoundError } from './errors.js';
import { contentHash, INDEX_FILE, INDEX_FORMAT, INDEX_SIG_FILE, type IndexEntry, type PackIndex } from './pack-index.js';
import { type LayoutReport, readLayout } from './zip-layout.js';
import { DEFAULT_MAX_RATIO, DEFAULT_MAX_TOTAL_BYTES, openZip, readEntry, readStructure, type StructureReport, type ZipEntryInfo } from './zip-read.js';

const MAX_METADATA_BYTES = 64 * 1024 * 1024;

/**
 * Verify a pack. Throws only when the pack file does not exist; everything else is a check.
 * @example const r = await verifyPack(ctx, 'pack.zip', { keyFiles: ['pub.pem'] }); process.exitCode = r.ok ? 0 : 1;
 */
export async function verifyPack(ctx: Context, packPath: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const pack = resolve(ctx.cwd, packPath);
  if (!existsSync(pack) || !statSync(pack).isFile()) throw new DiscloseNotFoundError('PACK_NOT_FOUND', `no pack at ${pack}`);
  const trusted =
    options.keyFiles && options.keyFiles.length > 0
      ? trustedKeysFromFiles(options.keyFiles.map((k) => resolve(ctx.cwd, k)))
      : (options.trustedKeys ?? trustedKeysFromHome(ctx));
  const result: VerifyResult = { ok: false, pack, executionId: null, entries: 0, trustedKeys: trusted.map((k) => k.id), checks: [] };
  const checks = result.checks;
  const layout = readLayout(pack);
  checks.push({
    name: 'zip.layout',
    ok: layout.problems.length === 0,
    detail:
      layout.problems.length === 0
        ? `${layout.entries.length} local headers back to back from byte 0, each matching the central directory; nothing before, between or after`
        : layout.problems.join('; '),
  });
  let zip: Awaited<ReturnType<typeof openZip>>;
  try {
    zip = await openZip(pack);
  } catch (err) {
    checks.push({ name: 'zip.structure', ok: false, detail: `not a readable zip: ${(err as Error).message}` });
    return result;
  }
  try {
    await verifyOpenZip(zip, layout, trusted, options, result);
  } finally {
    zip.close();
  }
  result.ok = checks.length > 0 && checks.every((c) => c.ok);
  return result;
}

async function verifyOpenZip(
  zip: Awaited<ReturnType<typeof openZip>>,
  layout: LayoutReport,
  trusted: TrustedKey[],
  options: VerifyOptions,
  result: VerifyResult,
): Promise<void> {
  const checks = result.checks;
  let structure: StructureReport;
  try {
    structure = await readStructure(zip, { maxTotalBytes: options.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES, maxRatio: options.maxRatio ?? DEFAULT_MAX_RATIO });
  } catch (err) {
    checks.push({ name: 'zip.structure', ok: false, detail: `unreadable central directory: ${(err as Error).message}` });
    return;
  }
  result.entries = structure.entries.length;
  if (layout.problems.length === 0 && layout.entries.length !== structure.entries.length) {
    checks.push({
      name: 'zip.structure',
      ok: false,
      detail: `the central directory holds ${layout.entries.length} entries, the zip reader listed ${structure.entries.length}`,
    });
    return;
  }
  // Never read data from a malformed or hostile zip, or one whose local headers and central directory disagree.
  checks.push({
    name: 'zip.structure',
    ok: structure.problems.length === 0,
    detail: structure.problems.length === 0 ? `${structure.entries.length} entries, all regular files with safe names` : structure.problems.join('; '),
  });
  if (structure.problems.length > 0 || layout.problems.length > 0) return;
  const byName = new Map(structure.entries.map((e) => [e.name, e]));
  const index = await readIndex(zip, byName, trusted, checks);
  if (!index) return;
  result.executionId = index.executionId;
  checkCoverage(index, byName, checks);
  const digests = await hashEntries(zip, structure.entries, index, checks, options);
  await checkReceipt(digests, trusted, index, checks);
}

// index.json + index.sig.json: present, signed by a trusted key, well-formed, content hash right.
async function readIndex(
  zip: Awaited<ReturnType<typeof openZip>>,
  byName: Map<string, ZipEntryInfo>,
  trusted: TrustedKey[],
  checks: Check[],
): Promise<PackIndex | null> {
  const idx = byName.get(INDEX_FILE);
  const sig = byName.get(INDEX_SIG_FILE);
  if (!idx || !sig) {
    checks.push({ name: 'index.signature', ok: false, detail: `${!idx ? INDEX_FILE : INDEX_SIG_FILE} is missing from the pack` });
    return null;
  }
  let indexBytes: Buffer;
  let sigBytes: Buffer;
  try {
    indexBytes = (await readEntry(zip, idx.entry, { keep: MAX_METADATA_BYTES })).data!;
    sigBytes = (await readEntry(zip, sig.entry, { keep: MAX_METADATA_BYTES })).data!;
  } catch (err) {
    checks.push({ name: 'index.signature', ok: false, detail: `${INDEX_FILE} or ${INDEX_SIG_FILE} cannot be read: ${(err as Error).message}` });
    return null;
  }
  const signed = await verifySignedBundle(sigBytes.toString('utf8'), trusted, { expect: 'message', artifact: indexBytes, label: 'index' });
  checks.push(...signed.checks);
  let index: PackIndex;
  try {
    index = JSON.parse(indexBytes.toString('utf8')) as PackIndex;
    const okShape =
      index.format === INDEX_FORMAT &&
      Array.isArray(index.entries) &&
      index.entries.every((e) => typeof e?.path === 'string' && Number.isSafeInteger(e.size) && /^[0-9a-f]{64}$/.test(String(e.sha256)));
    if (!okShape) throw new Error(`expected format ${INDEX_FORMAT} with entries [{path, size, sha256}]`);
  } catch (err) {
    checks.push({ name: 'index.format', ok: false, detail: `${INDEX_FILE} is not a valid index: ${(err as Error).message}` });
    return null;
  }
  const recomputed = contentHash(index.entries);
  const chOk = recomputed === index.contentHash;
  checks.push({
    name: 'index.contentHash',
    ok: chOk,
    detail: chOk ? recomputed : `content hash is ${recomputed}, ${INDEX_FILE} says ${String(index.contentHash)}`,
  });
  return index;
}

// Every zip entry is in the index and every index entry is in the zip.
function checkCoverage(index: PackIndex, byName: Map<string, ZipEntryInfo>, checks: Check[]): void {
  const indexed = new Set<string>();
  const problems: string[] = [];
  for (const e of index.entries) {
    if (indexed.has(e.path)) problems.push(`index lists ${e.path} twice`);
    indexed.add(e.path);
    if (!byName.has(e.path)) problems.push(`index entry ${e.path} is missing from the zip`);
  }
  for (const name of byName.keys())
    if (name !== INDEX_FILE && name !== INDEX_SIG_FILE && !indexed.has(name)) problems.push(`entry ${name} is not in the index`);
  checks.push({
    name: 'index.coverage',
    ok: problems.length === 0,
    detail: problems.length === 0 ? `${index.entries.length} entries, each in both the zip and the index` : problems.join('; '),
  });
}

// Stream every indexed entry: size and sha256 against the index. Returns path → sha256 (+ receipt bytes).
async function hashEntries(
  zip: Awaited<ReturnType<typeof openZip>>,
  entries: ZipEntryInfo[],
  index: PackIndex,
  checks: Check[],
  options: VerifyOptions,
): Promise<{ files: Map<string, string>; receipt: Buffer | null }> {
  const expected = new Map<string, IndexEntry>(index.entries.map((e) => [e.path, e]));
  const files = new Map<string, string>();
  let receipt: Buffer | null = null;
  const total = entries.filter((e) => expected.has(e.name)).reduce((n, e) => n + e.entry.uncompressedSize, 0);
  let done = 0;
  const failures: Check[] = [];
  for (const { name, entry } of entries) {
    const want = expected.get(name);
    if (!want) continue;
    try {
      const got = await readEntry(zip, entry, {
        ...(name === RECEIPT_FILE ? { keep: MAX_METADATA_BYTES } : {}),
        onBytes: (n) => {
          done += n;
          options.onProgress?.({ phase: 'verify', bytes: done, total });
        },
      });
      if (name === RECEIPT_FILE) receipt = got.data ?? null;
      if (name.startsWith('logs/') || name.startsWith('out/') || name === 'manifest.yaml') files.set(name, got.sha256);
      if (got.size !== want.size)
        failures.push({ name: `entry:${name}`, ok: false, detail: `${name}: size is ${got.size} bytes, the index says ${want.size}` });
      else if (got.sha256 !== want.sha256)
        failures.push({ name: `entry:${name}`, ok: false, detail: `${name}: sha256 is ${got.sha256}, the index says ${want.sha256}` });
    } catch (err) {
      failures.push({ name: `entry:${name}`, ok: false, detail: `${name}: cannot be read: ${(err as Error).message}` });
    }
  }
  checks.push({
    name: 'entries',
    ok: failures.length === 0,
    detail:
      failures.length === 0
        ? `${expected.size} entries match the index (size and sha256)`
        : `${failures.length} of ${expected.size} entries do not match the index: ${failures.map((f) => f.name.slice(6)).join(', ')}`,
  });
  checks.push(...failures);
  return { files, receipt };
}

async function checkReceipt(
  d: { files: Map<string, string>; receipt: Buffer | null },
  trusted: TrustedKey[],
  index: PackIndex,
  checks: Check[],
): Promise<void> {
  if (!d.receipt) {
    checks.push({ name: 'receipt.bundle', ok: false, detail: `${RECEIPT_FILE} is missing from the pack` });
    return;
  }
  const v = await verifyReceipt(d.receipt.toString('utf8'), trusted, { subjects: d.files });
  checks.push(...v.checks);
  const invocation = v.statement?.predicate.runDetails.metadata.invocationId;
  if (invocation !== undefined && invocation !== index.executionId) {
    checks.push({ name: 'receipt.invocation', ok: false, detail: `the receipt is for execution ${invocation}, the index for ${index.executionId}` });
  }
}
