/**
 * Reading a pack safely with yauzl (streaming). Structure is checked from the central directory
 * before any data is read: names (no traversal, absolute paths, backslashes, empty or dot
 * segments, invalid UTF-8), duplicates, entry types (regular files only: no symlinks or
 * directories), encryption, compression methods, extra fields (a Unicode-path field could make
 * another unzipper see another name), overlapping entries, and zip-bomb limits.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { Entry, ZipFile } from 'yauzl';

export const DEFAULT_MAX_TOTAL_BYTES = 64 * 1024 ** 3;
export const DEFAULT_MAX_RATIO = 1000;
/** Entries smaller than this are exempt from the ratio limit (tiny files compress absurdly well). */
const RATIO_FLOOR_BYTES = 1 << 20;

export interface ZipEntryInfo {
  name: string;
  entry: Entry;
}

export interface StructureReport {
  entries: ZipEntryInfo[];
  problems: string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Open a zip for streaming reads (names kept raw: we validate them ourselves). */
export async function openZip(path: string): Promise<ZipFile> {
  const yauzl = await import('yauzl');
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (err, zip) => (err ? reject(err) : resolve(zip)));
  });
}

/** Read the central directory and list every structural problem (empty list: structure is sound). */
export async function readStructure(zip: ZipFile, limits: { maxTotalBytes: number; maxRatio: number }): Promise<StructureReport> {
  const entries = await listEntries(zip);
  const problems: string[] = [];
  const seen = new Set<string>();
  let total = 0;
  for (const { name, entry } of entries) {
    const label = JSON.stringify(name);
    const nameProblem = checkName(name);
    if (nameProblem) problems.push(`entry ${label}: ${nameProblem}`);
    if (seen.has(name)) problems.push(`entry ${label}: duplicate name`);
    seen.add(name);
    const type = (entry.externalFileAttributes >>> 16) & 0o170000;
    if (entry.versionMadeBy >> 8 === 3 && type === 0o120000) problems.push(`entry ${label}: symlink entries are refused`);
    else if (name.endsWith('/') || (entry.versionMadeBy >> 8 === 3 && type !== 0 && type !== 0o100000))
      problems.push(`entry ${label}: only regular files are allowed`);
    if (entry.isEncrypted()) problems.push(`entry ${label}: encrypted entries are refused`);
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8)
      problems.push(`entry ${label}: unsupported compression method ${entry.compressionMethod}`);
    const extra = entry.extraFields.filter((f) => f.id !== 0x0001).map((f) => `0x${f.id.toString(16).padStart(4, '0')}`);
    if (extra.length > 0) problems.push(`entry ${label}: unexpected extra field ${extra.join(', ')}`);
    total += entry.uncompressedSize;
    if (entry.uncompressedSize > RATIO_FLOOR_BYTES && entry.uncompressedSize > limits.maxRatio * Math.max(1, entry.compressedSize)) {
      problems.push(
        `entry ${label}: compression ratio ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))}:1 exceeds the limit ${limits.maxRatio}:1 (zip bomb?)`,
      );
    }
  }
  if (total > limits.maxTotalBytes) problems.push(`total uncompressed size ${total} bytes exceeds the limit ${limits.maxTotalBytes} (zip bomb?)`);
  problems.push(...checkOverlaps(entries));
  return { entries, problems };
}

function listEntries(zip: ZipFile): Promise<ZipEntryInfo[]> {
  return new Promise((resolve, reject) => {
    const out: ZipEntryInfo[] = [];
    zip.on('entry', (entry: Entry) => {
      const raw = entry.fileNameRaw ?? (entry.fileName as unknown as Buffer);
      let name: string;
      try {
        name = utf8.decode(raw);
      } catch {
        name = `\uFFFD(invalid UTF-8: ${raw.toString('hex')})`;
      }
      out.push({ name, entry });
      zip.readEntry();
    });
    zip.once('end', () => resolve(out));
    zip.once('error', reject);
    zip.readEntry();
  });
}

/** Why a name is unsafe, or null. */
export function checkName(name: string): string | null {
  if (name.startsWith('\uFFFD(invalid UTF-8')) return 'the name is not valid UTF-8';
  if (name === '') return 'empty name';
  if (name.includes('\0')) return 'NUL in the name';
  if (name.includes('\\')) return 'backslash in the name';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'absolute path';
  const segments = name.replace(/\/$/, '').split('/');
  if (segments.includes('..')) return 'path traversal ("..")';
  if (segments.some((s) => s === '' || s === '.')) return 'empty or "." path segment';
  return null;
}

// Entries whose data would overlap (the trick behind non-recursive zip bombs) or share a header.
function checkOverlaps(entries: readonly ZipEntryInfo[]): string[] {
  const byOffset = [...entries].sort((a, b) => a.entry.relativeOffsetOfLocalHeader - b.entry.relativeOffsetOfLocalHeader);
  const problems: string[] = [];
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1]!;
    const cur = byOffset[i]!;
    const prevEnd = prev.entry.relativeOffsetOfLocalHeader + 30 + prev.entry.fileNameLength + prev.entry.compressedSize;
    if (cur.entry.relativeOffsetOfLocalHeader < prevEnd) problems.push(`entries ${JSON.stringify(prev.name)} and ${JSON.stringify(cur.name)} overlap`);
  }
  return problems;
}

/**
 * Stream one entry: sha256, size, and (when asked) the bytes, up to a cap. The CRC-32 of the data is
 * checked against the central directory's (a pack whose CRC was altered is refused, as unzip -t does).
 */
export async function readEntry(
  zip: ZipFile,
  entry: Entry,
  options: { keep?: number; onBytes?: (n: number) => void } = {},
): Promise<{ sha256: string; size: number; data?: Buffer }> {
  const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) => zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))));
  const hash = createHash('sha256');
  const kept: Buffer[] = [];
  let size = 0;
  let crc = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    crc = crc32(chunk, crc);
    size += chunk.length;
    options.onBytes?.(chunk.length);
    if (options.keep !== undefined) {
      if (size > options.keep) throw new Error(`larger than ${options.keep} bytes`);
      kept.push(chunk);
    }
  }
  if (crc >>> 0 !== entry.crc32 >>> 0)
    throw new Error(
      `CRC-32 of the data is 0x${(crc >>> 0).toString(16).padStart(8, '0')}, the zip says 0x${(entry.crc32 >>> 0).toString(16).padStart(8, '0')}`,
    );
  return { sha256: hash.digest('hex'), size, ...(options.keep !== undefined ? { data: Buffer.concat(kept) } : {}) };
}
