/**
 * The byte layout of a pack, read independently of yauzl: the end record (classic and zip64), the
 * central directory walked to its declared end, and every local header. A pack is exactly
 *   local header + data (+ data descriptor) for each entry, in central-directory order, from byte 0,
 *   then the central directory, [zip64 end record + locator], end record (and an optional comment).
 * Anything else is a problem: bytes before the first local header (a prepended script), gaps or
 * overlaps, an entry the end record does not count (a hidden entry behind a lowered count), local
 * headers that disagree with the central directory (name, flags, method, CRC, sizes), trailing bytes.
 * Only headers are read (constant memory per entry); data CRCs are checked while streaming entries.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_LOCATOR64 = 0x07064b50;
const SIG_DESCRIPTOR = 0x08074b50;
const EOCD_SIZE = 22;
const EOCD64_SIZE = 56;
const LOCATOR64_SIZE = 20;
const MAX_COMMENT = 0xffff;
/** More problems than this are summarised (a hostile file could yield one per entry). */
const MAX_PROBLEMS = 20;
/** Central directories larger than this are refused (about 2.5 million entries). */
const MAX_CD_BYTES = 256 * 1024 * 1024;

export interface LayoutEntry {
  name: Buffer;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
  zip64: boolean;
}

export interface LayoutReport {
  entries: LayoutEntry[];
  problems: string[];
}

/**
 * Read and cross-check the layout of the zip at `path`.
 * @example const { problems } = readLayout('pack.zip'); if (problems.length) refuse(problems);
 */
export function readLayout(path: string): LayoutReport {
  const fd = openSync(path, 'r');
  try {
    return new LayoutReader(fd, fstatSync(fd).size).read();
  } finally {
    closeSync(fd);
  }
}

class LayoutReader {
  readonly problems: string[] = [];
  constructor(
    private readonly fd: number,
    private readonly size: number,
  ) {}

  read(): LayoutReport {
    const end = this.findEnd();
    if (!end) return { entries: [], problems: this.problems };
    if (end.cdOffset + end.cdSize !== end.cdEnd) {
      // The directory must end where the end record(s) begin; a shift means bytes were added in front.
      const shift = end.cdEnd - end.cdSize - end.cdOffset;
      this.problem(
        shift > 0
          ? `${shift} bytes precede the zip's recorded offsets (data prepended to the zip?)`
          : `the central directory (offset ${end.cdOffset}, ${end.cdSize} bytes) overlaps the end record`,
      );
      return { entries: [], problems: this.problems };
    }
    const entries = this.readCentral(end.cdOffset, end.cdSize);
    if (entries) {
      this.checkCounts(entries.length, end);
      this.checkLocals(entries, end.cdOffset);
    }
    const problems =
      this.problems.length > MAX_PROBLEMS ? [...this.problems.slice(0, MAX_PROBLEMS), `… and ${this.problems.length - MAX_PROBLEMS} more`] : this.problems;
    return { entries: entries ?? [], problems };
  }

  private bytes(offset: number, length: number): Buffer | null {
    if (offset < 0 || length < 0 || offset + length > this.size) return null;
    const b = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd, b, got, length - got, offset + got);
      if (n === 0) return null;
      got += n;
    }
    return b;
  }

  /** Records a problem; returns null so a reader can `return this.problem(...)` when it cannot go on. */
  private problem(p: string): null {
    this.problems.push(p);
    return null;
  }

  // The end record must end the file exactly (with its comment, if any); a zip64 locator right before it
  // points at a zip64 end record right before the locator.
  private findEnd(): { cdOffset: number; cdSize: number; counts: number[]; eocd64: number | null; cdEnd: number } | null {
    const tailLen = Math.min(this.size, EOCD_SIZE + MAX_COMMENT);
    const tail = this.bytes(this.size - tailLen, tailLen);
    if (!tail) return this.problem('the file is too short to be a zip');
    let at = -1;
    for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
      if (tail.readUInt32LE(i) === SIG_EOCD && i + EOCD_SIZE + tail.readUInt16LE(i + 20) === tail.length) {
        at = i;
        break;
      }
    }
    if (at < 0) {
      this.problem('no end-of-central-directory record ends the file (bytes appended after it?)');
      return null;
    }
    const eocd = this.size - tailLen + at;
    const e = tail.subarray(at, at + EOCD_SIZE);
    if (e.readUInt16LE(4) !== 0 || e.readUInt16LE(6) !== 0) this.problem('multi-disk archives are refused');
    const classic = { onDisk: e.readUInt16LE(8), total: e.readUInt16LE(10), cdSize: e.readUInt32LE(12), cdOffset: e.readUInt32LE(16) };
    const loc = eocd >= LOCATOR64_SIZE ? this.bytes(eocd - LOCATOR64_SIZE, LOCATOR64_SIZE) : null;
    if (!loc || loc.readUInt32LE(0) !== SIG_LOCATOR64) {
      if (classic.onDisk === 0xffff || classic.total === 0xffff || classic.cdSize === 0xffffffff || classic.cdOffset === 0xffffffff)
        this.problem('the end record holds zip64 markers but there is no zip64 end record');
      return { cdOffset: classic.cdOffset, cdSize: classic.cdSize, counts: [classic.onDisk, classic.total], eocd64: null, cdEnd: eocd };
    }
    const eocd64 = Number(loc.readBigUInt64LE(8));
    const r = eocd64 === eocd - LOCATOR64_SIZE - EOCD64_SIZE ? this.bytes(eocd64, EOCD64_SIZE) : null;
    if (!r || r.readUInt32LE(0) !== SIG_EOCD64 || Number(r.readBigUInt64LE(4)) !== EOCD64_SIZE - 12) {
      this.problem(`the zip64 locator points at offset ${eocd64}, not at a zip64 end record directly before it`);
      return null;
    }
    const z = {
      onDisk: Number(r.readBigUInt64LE(24)),
      total: Number(r.readBigUInt64LE(32)),
      cdSize: Number(r.readBigUInt64LE(40)),
      cdOffset: Number(r.readBigUInt64LE(48)),
    };
    // Classic fields either agree with the zip64 ones or hold the "see zip64" marker.
    const agree = (v: number, z64: number, marker: number) => v === marker || v === z64;
    if (!agree(classic.onDisk, z.onDisk, 0xffff) || !agree(classic.total, z.total, 0xffff))
      this.problem(`the end record counts ${classic.total} entries, the zip64 end record ${z.total}`);
    if (!agree(classic.cdSize, z.cdSize, 0xffffffff) || !agree(classic.cdOffset, z.cdOffset, 0xffffffff))
      this.problem('the end record and the zip64 end record disagree on the central directory');
    const counts = [z.onDisk, z.total, ...(classic.total === 0xffff ? [] : [classic.onDisk, classic.total])];
    return { cdOffset: z.cdOffset, cdSize: z.cdSize, counts, eocd64, cdEnd: eocd64 };
  }

  // Walk the central directory from its offset to its declared size: every byte must be a whole entry.
  private readCentral(cdOffset: number, cdSize: number): LayoutEntry[] | null {
    if (cdSize > MAX_CD_BYTES) return this.problem(`the central directory (${cdSize} bytes) is larger than ${MAX_CD_BYTES} bytes`);
    const cd = this.bytes(cdOffset, cdSize);
    if (!cd) return this.problem(`the central directory (offset ${cdOffset}, ${cdSize} bytes) lies outside the file`);
    const entries: LayoutEntry[] = [];
    let p = 0;
    while (p < cd.length) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL)
        return this.problem(`the central directory holds ${cd.length - p} bytes that are not an entry (at offset ${cdOffset + p})`);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      const next = p + 46 + nameLen + extraLen + commentLen;
      if (next > cd.length) return this.problem(`central directory entry ${entries.length + 1} runs past the directory's end`);
      const name = Buffer.from(cd.subarray(p + 46, p + 46 + nameLen));
      const e: LayoutEntry = {
        name,
        flags: cd.readUInt16LE(p + 8),
        method: cd.readUInt16LE(p + 10),
        crc32: cd.readUInt32LE(p + 16),
        compressedSize: cd.readUInt32LE(p + 20),
        uncompressedSize: cd.readUInt32LE(p + 24),
        localOffset: cd.readUInt32LE(p + 42),
        zip64: false,
      };
      this.applyZip64Extra(e, cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen));
      if (commentLen > 0) this.problem(`entry ${label(name)}: has a comment (packs never write one)`);
      if (cd.readUInt16LE(p + 34) !== 0) this.problem(`entry ${label(name)}: on another disk`);
      entries.push(e);
      p = next;
    }
    return entries;
  }

  // The zip64 extra field (0x0001) carries, in order, the 32-bit fields that hold the 0xffffffff marker.
  private applyZip64Extra(e: LayoutEntry, extra: Buffer): void {
    for (let q = 0; q + 4 <= extra.length; ) {
      const id = extra.readUInt16LE(q);
      const len = extra.readUInt16LE(q + 2);
      if (id === 0x0001) {
        e.zip64 = true;
        let r = q + 4;
        const take = (): number => {
          if (r + 8 > q + 4 + len) {
            this.problem(`entry ${label(e.name)}: zip64 extra field too short`);
            return 0;
          }
          const v = Number(extra.readBigUInt64LE(r));
          r += 8;
          return v;
        };
        if (e.uncompressedSize === 0xffffffff) e.uncompressedSize = take();
        if (e.compressedSize === 0xffffffff) e.compressedSize = take();
        if (e.localOffset === 0xffffffff) e.localOffset = take();
      }
      q += 4 + len;
    }
  }

  private checkCounts(actual: number, end: { counts: number[] }): void {
    const wrong = end.counts.filter((c) => c !== actual);
    if (wrong.length > 0) this.problem(`the end record counts ${wrong[0]} entries but the central directory holds ${actual}`);
  }

  // Local headers back to back from byte 0, in central-directory order, each agreeing with its
  // central entry, the last one's data ending where the central directory starts.
  private checkLocals(entries: readonly LayoutEntry[], cdOffset: number): void {
    let expected = 0;
    for (const e of entries) {
      const name = label(e.name);
      if (e.localOffset !== expected) {
        if (expected === 0) this.problem(`${e.localOffset} bytes precede the first local header (data prepended to the zip?)`);
        else
          this.problem(
            `entry ${name}: local header at offset ${e.localOffset}, expected ${expected} (${e.localOffset > expected ? `${e.localOffset - expected} unaccounted bytes before it` : 'it overlaps the previous entry'})`,
          );
        return;
      }
      const end = this.checkLocal(e, name);
      if (end === null) return;
      expected = end;
    }
    if (expected !== cdOffset)
      this.problem(
        expected < cdOffset
          ? `${cdOffset - expected} unaccounted bytes lie between the last entry and the central directory`
          : 'the last entry overlaps the central directory',
      );
  }

  // One local header (+ data descriptor): returns the offset just past the entry, or null on a problem.
  private checkLocal(e: LayoutEntry, name: string): number | null {
    const h = this.bytes(e.localOffset, 30);
    if (!h || h.readUInt32LE(0) !== SIG_LOCAL) return this.problem(`entry ${name}: no local header at offset ${e.localOffset}`);
    const nameLen = h.readUInt16LE(26);
    const extraLen = h.readUInt16LE(28);
    const rest = this.bytes(e.localOffset + 30, nameLen + extraLen);
    if (!rest) return this.problem(`entry ${name}: local header runs past the end of the file`);
    if (!rest.subarray(0, nameLen).equals(e.name)) return this.problem(`entry ${name}: the local header names it ${label(rest.subarray(0, nameLen))}`);
    if (h.readUInt16LE(6) !== e.flags)
      this.problem(`entry ${name}: local flags 0x${h.readUInt16LE(6).toString(16)} differ from the central directory's 0x${e.flags.toString(16)}`);
    if (h.readUInt16LE(8) !== e.method)
      this.problem(`entry ${name}: local compression method ${h.readUInt16LE(8)} differs from the central directory's ${e.method}`);
    const dataStart = e.localOffset + 30 + nameLen + extraLen;
    const dataEnd = dataStart + e.compressedSize;
    const local = { crc32: h.readUInt32LE(14), compressedSize: h.readUInt32LE(18), uncompressedSize: h.readUInt32LE(22) };
    if (e.flags & 0x08) {
      // Sizes and CRC follow the data in a descriptor (with its signature, as packs write it).
      if (local.crc32 !== 0 && local.crc32 !== e.crc32)
        this.problem(`entry ${name}: local CRC-32 ${hex(local.crc32)} differs from the central directory's ${hex(e.crc32)}`);
      const len = e.zip64 ? 24 : 16;
      const d = this.bytes(dataEnd, len);
      if (!d || d.readUInt32LE(0) !== SIG_DESCRIPTOR) return this.problem(`entry ${name}: no data descriptor after its ${e.compressedSize} bytes of data`);
      const dCrc = d.readUInt32LE(4);
      const dComp = e.zip64 ? Number(d.readBigUInt64LE(8)) : d.readUInt32LE(8);
      const dSize = e.zip64 ? Number(d.readBigUInt64LE(16)) : d.readUInt32LE(12);
      if (dCrc !== e.crc32) this.problem(`entry ${name}: data descriptor CRC-32 ${hex(dCrc)} differs from the central directory's ${hex(e.crc32)}`);
      if (dComp !== e.compressedSize || dSize !== e.uncompressedSize)
        this.problem(`entry ${name}: data descriptor sizes ${dComp}/${dSize} differ from the central directory's ${e.compressedSize}/${e.uncompressedSize}`);
      return dataEnd + len;
    }
    const sizes = localZip64Sizes(local, rest.subarray(nameLen));
    if (local.crc32 !== e.crc32) this.problem(`entry ${name}: local CRC-32 ${hex(local.crc32)} differs from the central directory's ${hex(e.crc32)}`);
    if (sizes.compressedSize !== e.compressedSize || sizes.uncompressedSize !== e.uncompressedSize)
      this.problem(
        `entry ${name}: local sizes ${sizes.compressedSize}/${sizes.uncompressedSize} differ from the central directory's ${e.compressedSize}/${e.uncompressedSize}`,
      );
    return dataEnd;
  }
}

// Local sizes, taken from a zip64 extra field when the 32-bit fields hold the marker.
function localZip64Sizes(local: { compressedSize: number; uncompressedSize: number }, extra: Buffer): { compressedSize: number; uncompressedSize: number } {
  if (local.compressedSize !== 0xffffffff && local.uncompressedSize !== 0xffffffff) return local;
  for (let q = 0; q + 4 <= extra.length; q += 4 + extra.readUInt16LE(q + 2)) {
    if (extra.readUInt16LE(q) === 0x0001 && extra.readUInt16LE(q + 2) >= 16)
      return { uncompressedSize: Number(extra.readBigUInt64LE(q + 4)), compressedSize: Number(extra.readBigUInt64LE(q + 12)) };
  }
  return local;
}

function label(name: Buffer): string {
  const s = name.toString('utf8');
  return JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s);
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
