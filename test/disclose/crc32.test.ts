import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/disclose/crc32.js';
import { writeZip } from '../../src/disclose/index.js';
import { readLayout } from '../../src/disclose/zip-layout.js';

// The textbook bitwise CRC-32 (reflected, polynomial 0xEDB88320): an independent reference.
function reference(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('crc32 (slicing-by-8)', () => {
  it('matches the bitwise reference, in one call or chained, for every length mod 8', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926); // the standard check value
    for (let len = 0; len < 40; len++) {
      const b = randomBytes(len + 1000);
      expect(crc32(b)).toBe(reference(b));
      expect(crc32(b.subarray(len), crc32(b.subarray(0, len)))).toBe(reference(b));
    }
  });

  it("matches zlib's crc32 (an independent C implementation bundled with Node) on random buffers, chained", () => {
    let seed = 1;
    for (const len of [0, 1, 7, 8, 9, 4095, 65_537, 1_000_003]) {
      const b = randomBytes(len);
      expect(crc32(b), `length ${len}`).toBe(zlibCrc32(b));
      seed = (seed * 48271) % 2147483647;
      const cut = seed % (len + 1);
      expect(crc32(b.subarray(cut), crc32(b.subarray(0, cut)))).toBe(zlibCrc32(b));
    }
  });

  // The same zip is read back by every independent reader available: our own layout + CRC check
  // (verify's reader, which compares data CRCs against zlib's), and unzip -t / Python's zipfile when
  // installed. The zlib comparison above never skips.
  const unzip = spawnSync('unzip', ['-v']).status === 0;
  const python = spawnSync('python3', ['--version']).status === 0;
  if (!unzip) console.warn('crc32 interop: unzip not on PATH, its check is skipped (zlib and Python checks still run)');
  if (!python) console.warn('crc32 interop: python3 not on PATH, its check is skipped (zlib and unzip checks still run)');
  it("yields zips whose every entry CRC equals zlib's CRC of the data, and that unzip -t / Python zipfile accept", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crc-'));
    const data = randomBytes(3 * 1024 * 1024 + 5);
    writeFileSync(join(dir, 'r.bin'), data);
    const zip = join(dir, 'x.zip');
    const text = Buffer.from('hello '.repeat(1000));
    const out = createWriteStream(zip);
    await writeZip(out, [
      { path: 'r.bin', file: join(dir, 'r.bin'), size: data.length },
      { path: 'stored.bin', file: join(dir, 'r.bin'), size: data.length, store: true },
      { path: 't.txt', data: text },
    ]);
    await finished(out);
    const layout = readLayout(zip);
    expect(layout.problems).toEqual([]);
    expect(layout.entries.map((e) => [e.name.toString(), e.crc32 >>> 0])).toEqual([
      ['r.bin', zlibCrc32(data)],
      ['stored.bin', zlibCrc32(data)],
      ['t.txt', zlibCrc32(text)],
    ]);
    if (unzip) {
      const t = spawnSync('unzip', ['-t', zip], { encoding: 'utf8' });
      expect(t.status, t.stdout).toBe(0);
      expect(t.stdout).toMatch(/No errors detected/);
    }
    if (python) {
      const py = execFileSync(
        'python3',
        ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.testzip(), [i.compress_type for i in z.infolist()])', zip],
        { encoding: 'utf8' },
      );
      expect(py.trim()).toBe('None [8, 0, 8]');
    }
  });
});
