/**
 * Packs tampered at the byte level (issue 16 item 4): each is built by hand from a real export, shown
 * to fool an independent reader where one is installed (Python's zipfile, unzip), and refused by verify.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../src/core/context.js';
import { exportPack, type VerifyResult, verifyPack } from '../../src/disclose/index.js';
import { ensureSigningKey } from '../../src/receipts/index.js';
import { fixtureContext, makeExecution } from '../receipts/fixtures.js';
import { assemble, setCrc, splitZip, storedEntry } from './raw-zip.js';

const ID = 'ex_01jf8z6v3k9q2w7e5r4t1y0u8i';
let ctx: Context;
let bytes: Buffer;
let work: string;
let n = 0;

const python = spawnSync('python3', ['--version']).status === 0;
const unzip = spawnSync('unzip', ['-v']).status === 0;
if (!python) console.warn('independent-reader cross-checks with Python zipfile skipped: no python3 on PATH (verify is still tested)');
if (!unzip) console.warn('independent-reader cross-checks with unzip skipped: no unzip on PATH (verify is still tested)');

beforeAll(async () => {
  const f = makeExecution(fixtureContext());
  ctx = f.ctx;
  ensureSigningKey(ctx);
  work = mkdtempSync(join(tmpdir(), 'tamper-'));
  bytes = readFileSync((await exportPack(ctx, { executionId: ID, output: join(work, 'pack.zip') })).path);
});

function save(b: Buffer): string {
  const p = join(work, `t${++n}.zip`);
  writeFileSync(p, b);
  return p;
}

const layoutDetail = (r: VerifyResult) => r.checks.find((c) => c.name === 'zip.layout')!;
const pyNames = (p: string) =>
  spawnSync('python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', p], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n');

describe('disclose verify refuses tampered packs', () => {
  it('reassembling the untouched entries gives the same bytes and a pack that verifies (the surgery is exact)', async () => {
    const again = assemble(splitZip(bytes));
    expect(again.equals(bytes)).toBe(true);
    const r = await verifyPack(ctx, save(again));
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(layoutDetail(r).detail).toMatch(/^\d+ local headers back to back from byte 0/);
  });

  for (const zip64 of [false, true]) {
    it(`an unindexed hidden.txt with the ${zip64 ? 'zip64' : 'classic'} end-record count set one lower`, async () => {
      const entries = [...splitZip(bytes), storedEntry('hidden.txt', Buffer.from('not in the index\n'))];
      const p = save(assemble(entries, { countDelta: -1, zip64 }));
      if (python) expect(pyNames(p)).toContain('hidden.txt'); // Python walks the directory to its size: it sees the entry
      const r = await verifyPack(ctx, p);
      expect(r.ok).toBe(false);
      expect(layoutDetail(r).ok).toBe(false);
      expect(layoutDetail(r).detail).toContain(`the end record counts ${entries.length - 1} entries but the central directory holds ${entries.length}`);
    });
  }

  it('the zip64 record and the classic record disagreeing on the count', async () => {
    const b = assemble(splitZip(bytes), { zip64: true });
    expect((await verifyPack(ctx, save(b))).ok).toBe(true); // a zip64 end record by itself is fine
    const eocd = b.length - 22;
    b.writeUInt16LE(3, eocd + 10);
    const r = await verifyPack(ctx, save(b));
    expect(r.ok).toBe(false);
    expect(layoutDetail(r).detail).toMatch(/the end record counts 3 entries, the zip64 end record \d+/);
  });

  it('a hidden local entry between the last entry and the central directory (not in the directory at all)', async () => {
    const entries = splitZip(bytes);
    const hidden = storedEntry('hidden.txt', Buffer.from('payload'));
    const last = entries[entries.length - 1]!;
    const b = assemble([...entries.slice(0, -1), { ...last, local: Buffer.concat([last.local, hidden.local]) }]);
    const r = await verifyPack(ctx, save(b));
    expect(r.ok).toBe(false);
    expect(layoutDetail(r).detail).toContain(`${hidden.local.length} unaccounted bytes lie between the last entry and the central directory`);
  });

  for (const target of ['manifest.yaml', 'index.json']) {
    it(`correct bytes and sha256 but a wrong CRC-32 in ${target} (central, local and descriptor agree)`, async () => {
      const entries = splitZip(bytes);
      const e = entries.find((x) => x.name === target)!;
      setCrc(e, e.central.readUInt32LE(16) ^ 0x00010000);
      const p = save(assemble(entries));
      if (unzip) {
        const t = spawnSync('unzip', ['-t', p], { encoding: 'utf8' });
        expect(t.status).not.toBe(0);
        expect(t.stdout).toMatch(new RegExp(`bad CRC.*|${target}.*bad`));
      }
      if (python)
        expect(spawnSync('python3', ['-c', 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).testzip())', p], { encoding: 'utf8' }).stdout.trim()).toBe(
          target,
        );
      const r = await verifyPack(ctx, p);
      expect(r.ok).toBe(false);
      expect(layoutDetail(r).ok).toBe(true);
      const failedDetails = r.checks
        .filter((c) => !c.ok)
        .map((c) => c.detail)
        .join('\n');
      expect(failedDetails).toMatch(/CRC-32 of the data is 0x[0-9a-f]{8}, the zip says 0x[0-9a-f]{8}/);
    });
  }

  it('a CRC-32 changed only in the central directory (local descriptor disagrees)', async () => {
    const entries = splitZip(bytes);
    const e = entries.find((x) => x.name === 'plan.json')!;
    e.central.writeUInt32LE((e.central.readUInt32LE(16) ^ 1) >>> 0, 16);
    const r = await verifyPack(ctx, save(assemble(entries)));
    expect(r.ok).toBe(false);
    expect(layoutDetail(r).detail).toMatch(/entry "plan.json": data descriptor CRC-32 0x[0-9a-f]{8} differs from the central directory's/);
  });

  it('a shell script prepended with every offset adjusted', async () => {
    const script = Buffer.from('#!/bin/sh\necho pwned > /tmp/never\nexit 0\n');
    const p = save(assemble(splitZip(bytes), { prefix: script }));
    if (python) expect(pyNames(p)).toContain('index.json'); // still a readable zip to other tools
    if (unzip) expect(spawnSync('unzip', ['-t', p], { encoding: 'utf8' }).status).toBe(0);
    const r = await verifyPack(ctx, p);
    expect(r.ok).toBe(false);
    expect(layoutDetail(r).detail).toBe(`${script.length} bytes precede the first local header (data prepended to the zip?)`);
  });

  it('a shell script prepended without adjusting the offsets', async () => {
    const script = Buffer.from('#!/bin/sh\nexit 0\n');
    const r = await verifyPack(ctx, save(Buffer.concat([script, bytes])));
    expect(r.ok).toBe(false);
    expect(layoutDetail(r).detail).toBe(`${script.length} bytes precede the zip's recorded offsets (data prepended to the zip?)`);
  });

  it('bytes after the end record are refused; a zip comment is not', async () => {
    const trailing = await verifyPack(ctx, save(Buffer.concat([bytes, Buffer.from('tail')])));
    expect(trailing.ok).toBe(false);
    expect(layoutDetail(trailing).detail).toMatch(/no end-of-central-directory record ends the file/);
    const withComment = Buffer.concat([bytes, Buffer.from('note')]);
    withComment.writeUInt16LE(4, bytes.length - 2);
    expect((await verifyPack(ctx, save(withComment))).ok).toBe(true);
  });

  it('a gap between two entries and a local header that names another file', async () => {
    const entries = splitZip(bytes);
    entries[1] = { ...entries[1]!, local: Buffer.concat([Buffer.alloc(8), entries[1]!.local]) };
    const gap = await verifyPack(ctx, save(assemble(entries)));
    expect(layoutDetail(gap).detail).toMatch(/no local header at offset \d+/);
    const renamed = splitZip(bytes);
    const e = renamed.find((x) => x.name === 'plan.json')!;
    e.local.write('PLAN', 30, 'latin1');
    const r = await verifyPack(ctx, save(assemble(renamed)));
    expect(r.ok).toBe(false);
    expect(layoutDetail(r).detail).toBe('entry "plan.json": the local header names it "PLAN.json"');
  });
});

describe('the layout reader accepts what zip64 writers produce', () => {
  it('zip64 entries (extra fields, 24-byte descriptors) and a zip64 end record, as yazl writes them', async () => {
    const { default: yazl } = await import('yazl');
    const { Readable } = await import('node:stream');
    const { createWriteStream } = await import('node:fs');
    const { finished } = await import('node:stream/promises');
    const { readLayout } = await import('../../src/disclose/zip-layout.js');
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('small'), 'a.txt', { forceZip64Format: true } as never);
    zip.addReadStream(Readable.from([Buffer.alloc(100_000, 3)]), 'b.bin', { forceZip64Format: true } as never);
    zip.addBuffer(Buffer.from('plain'), 'c.txt');
    zip.end({ forceZip64Format: true } as never);
    const p = join(work, 'zip64.zip');
    const out = createWriteStream(p);
    zip.outputStream.pipe(out);
    await finished(out);
    const layout = readLayout(p);
    expect(layout.problems).toEqual([]);
    expect(layout.entries.map((e) => [e.name.toString(), e.zip64, e.uncompressedSize])).toEqual([
      ['a.txt', true, 5],
      ['b.bin', true, 100_000],
      ['c.txt', false, 5],
    ]);
    if (unzip) expect(spawnSync('unzip', ['-t', p], { encoding: 'utf8' }).status).toBe(0);
    // ... and a count lie in that zip64 end record is still caught.
    const b = readFileSync(p);
    const z64 = b.lastIndexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06]));
    b.writeBigUInt64LE(2n, z64 + 24);
    b.writeBigUInt64LE(2n, z64 + 32);
    writeFileSync(p, b);
    expect(readLayout(p).problems.join('; ')).toMatch(/counts 2 entries but the central directory holds 3/);
  });
});

describe('bounded reports', () => {
  it('a zip with a problem in every entry reports 20 and counts the rest', async () => {
    const { readLayout } = await import('../../src/disclose/zip-layout.js');
    const { storedEntry: stored } = await import('./raw-zip.js');
    const entries = Array.from({ length: 40 }, (_, i) => {
      const e = stored(`f${i}.txt`, Buffer.from(`file ${i}`));
      e.central.writeUInt32LE((e.central.readUInt32LE(16) ^ 1) >>> 0, 16); // central CRC ≠ local CRC
      return e;
    });
    const p = save(assemble(entries));
    const problems = readLayout(p).problems;
    expect(problems).toHaveLength(21);
    expect(problems.at(-1)).toBe('… and 20 more');
  });
});
