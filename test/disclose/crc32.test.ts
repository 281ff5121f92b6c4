import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/disclose/crc32.js';
import { writeZip } from '../../src/disclose/index.js';

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

  const python = spawnSync('python3', ['--version']).status === 0;
  if (!python) console.warn('crc32 interop check skipped: no python3 on PATH');
  it.skipIf(!python)(`yields zips whose CRCs an independent reader (Python zipfile) accepts${python ? '' : ' — skipped: no python3 on PATH'}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crc-'));
    writeFileSync(join(dir, 'r.bin'), randomBytes(3 * 1024 * 1024 + 5));
    const zip = join(dir, 'x.zip');
    await writeZip(createWriteStream(zip), [
      { path: 'r.bin', file: join(dir, 'r.bin'), size: 3 * 1024 * 1024 + 5 },
      { path: 'stored.bin', file: join(dir, 'r.bin'), size: 3 * 1024 * 1024 + 5, store: true },
      { path: 't.txt', data: Buffer.from('hello '.repeat(1000)) },
    ]);
    const out = execFileSync('python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.testzip(), [i.compress_type for i in z.infolist()])', zip], { encoding: 'utf8' });
    expect(out.trim()).toBe('None [8, 0, 8]');
  });
});
