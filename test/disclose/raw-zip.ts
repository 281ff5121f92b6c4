/**
 * Byte-level zip surgery for tamper tests: split a (non-zip64) pack into its entries' local records
 * (header + data + descriptor) and central records, then reassemble with chosen lies.
 */
import { crc32 } from 'node:zlib';

export interface RawEntry {
  name: string;
  local: Buffer;
  central: Buffer;
}

/** Split a well-formed zip (no prefix, no zip64) into its entries, in central-directory order. */
export function splitZip(zip: Buffer): RawEntry[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(eocd + 10);
  const cdOffset = zip.readUInt32LE(eocd + 16);
  const out: RawEntry[] = [];
  const offsets: number[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    const len = 46 + zip.readUInt16LE(p + 28) + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
    const central = Buffer.from(zip.subarray(p, p + len));
    offsets.push(central.readUInt32LE(42));
    out.push({ name: central.subarray(46, 46 + central.readUInt16LE(28)).toString('utf8'), local: Buffer.alloc(0), central });
    p += len;
  }
  offsets.push(cdOffset);
  for (const [i, e] of out.entries()) e.local = Buffer.from(zip.subarray(offsets[i]!, offsets[i + 1]!));
  return out;
}

/** A stored (method 0) entry with a correct CRC, as any zip tool would write it. */
export function storedEntry(name: string, data: Buffer): RawEntry {
  const n = Buffer.from(name, 'utf8');
  const crc = crc32(data) >>> 0;
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(0x0800, 6);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE((3 << 8) | 20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(n.length, 28);
  central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
  return { name, local: Buffer.concat([local, n, data]), central: Buffer.concat([central, n]) };
}

export interface AssembleOptions {
  /** Bytes before the first local header (offsets are adjusted to match). */
  prefix?: Buffer;
  /** Added to the true entry count written in the end record(s). */
  countDelta?: number;
  /** Write a zip64 end record + locator (classic fields hold the 0xffff/0xffffffff markers). */
  zip64?: boolean;
  /** Bytes after the end record. */
  trailer?: Buffer;
}

/** Lay entries out back to back, fix every central offset, and write the end record(s). */
export function assemble(entries: readonly RawEntry[], o: AssembleOptions = {}): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  const push = (b: Buffer) => {
    parts.push(b);
    at += b.length;
  };
  if (o.prefix) push(o.prefix);
  const centrals = entries.map((e) => {
    const c = Buffer.from(e.central);
    c.writeUInt32LE(at, 42);
    push(e.local);
    return c;
  });
  const cdOffset = at;
  for (const c of centrals) push(c);
  const cdSize = at - cdOffset;
  const count = entries.length + (o.countDelta ?? 0);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  if (o.zip64) {
    const z = Buffer.alloc(56);
    z.writeUInt32LE(0x06064b50, 0);
    z.writeBigUInt64LE(44n, 4);
    z.writeUInt16LE(45, 12);
    z.writeUInt16LE(45, 14);
    z.writeBigUInt64LE(BigInt(count), 24);
    z.writeBigUInt64LE(BigInt(count), 32);
    z.writeBigUInt64LE(BigInt(cdSize), 40);
    z.writeBigUInt64LE(BigInt(cdOffset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(at), 8);
    loc.writeUInt32LE(1, 16);
    push(z);
    push(loc);
    eocd.writeUInt16LE(0xffff, 8);
    eocd.writeUInt16LE(0xffff, 10);
    eocd.writeUInt32LE(0xffffffff, 12);
    eocd.writeUInt32LE(0xffffffff, 16);
  } else {
    eocd.writeUInt16LE(count, 8);
    eocd.writeUInt16LE(count, 10);
    eocd.writeUInt32LE(cdSize, 12);
    eocd.writeUInt32LE(cdOffset, 16);
  }
  push(eocd);
  if (o.trailer) push(o.trailer);
  return Buffer.concat(parts);
}

/** Set an entry's CRC-32 in its central record and in its local header or data descriptor. */
export function setCrc(e: RawEntry, crc: number): void {
  e.central.writeUInt32LE(crc >>> 0, 16);
  if (e.local.readUInt16LE(6) & 0x08) e.local.writeUInt32LE(crc >>> 0, e.local.length - 12);
  else e.local.writeUInt32LE(crc >>> 0, 14);
}
