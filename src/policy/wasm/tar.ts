/**
 * A small reader for (gzipped) tar archives, enough for OPA bundles: regular files with ustar, GNU
 * long-name and PAX path records. Entries are returned with their leading "./" or "/" removed.
 */
import { gunzipSync } from 'node:zlib';
import { PolicyError } from '../errors.js';

const BLOCK = 512;
/** Archives larger than this once decompressed are refused (bounded memory). */
export const MAX_ARCHIVE_BYTES = 256 * 1024 * 1024;

/**
 * Read every regular file of a tar or tar.gz archive.
 * @example const files = readTarFiles(readFileSync('bundle.tar.gz')); files.get('policy.wasm')
 */
export function readTarFiles(archive: Buffer, name = 'bundle'): Map<string, Buffer> {
  const buf = isGzip(archive) ? gunzip(archive, name) : archive;
  const files = new Map<string, Buffer>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= buf.length) {
    const header = buf.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    checkChecksum(header, name, offset);
    const size = parseOctal(header.subarray(124, 136));
    const type = String.fromCharCode(header[156] ?? 0);
    const body = buf.subarray(offset + BLOCK, offset + BLOCK + size);
    if (body.length < size) throw bad(name, `entry at byte ${offset} is truncated`);
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') longName = cString(body);
    else if (type === 'x') longName = paxPath(body) ?? longName;
    else if (type === '0' || type === '\0' || type === '7') {
      files.set(normalise(longName ?? headerName(header)), Buffer.from(body));
      longName = undefined;
    } else longName = undefined;
  }
  return files;
}

function isGzip(b: Buffer): boolean {
  return b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;
}

function gunzip(b: Buffer, name: string): Buffer {
  try {
    return gunzipSync(b, { maxOutputLength: MAX_ARCHIVE_BYTES });
  } catch (err) {
    throw bad(name, `not a valid gzip stream (${(err as Error).message})`);
  }
}

function bad(name: string, why: string): PolicyError {
  return new PolicyError('POLICY_BUNDLE_INVALID', `${name}: ${why}`, { kind: 'usage', hint: 'build bundles with `opa build -t wasm -e <entrypoint> <files>`' });
}

function checkChecksum(header: Buffer, name: string, offset: number): void {
  const stored = parseOctal(header.subarray(148, 156));
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
  if (sum !== stored) throw bad(name, `not a tar archive (bad header checksum at byte ${offset})`);
}

function parseOctal(field: Buffer): number {
  const text = cString(field).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function cString(b: Buffer): string {
  const end = b.indexOf(0);
  return b.subarray(0, end === -1 ? b.length : end).toString('utf8');
}

function headerName(h: Buffer): string {
  const name = cString(h.subarray(0, 100));
  const magic = cString(h.subarray(257, 263));
  const prefix = magic.startsWith('ustar') ? cString(h.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

// PAX records: "<len> key=value\n".
function paxPath(body: Buffer): string | undefined {
  for (const line of body.toString('utf8').split('\n')) {
    const m = /^\d+ path=(.*)$/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

function normalise(p: string): string {
  return p.replace(/^(\.\/|\/)+/, '');
}
