/** Test helpers for packs: read all entries, rewrite a zip with edits, patch raw bytes. */
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import yauzl from 'yauzl';
import yazl from 'yazl';

/** Every entry of a (small) zip, in central-directory order. */
export async function readAll(path: string): Promise<Map<string, Buffer>> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true, decodeStrings: true });
  const out = new Map<string, Buffer>();
  for await (const entry of zip.eachEntry()) {
    const stream = await zip.openReadStreamPromise(entry);
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    out.set(entry.fileName, Buffer.concat(chunks));
  }
  zip.close();
  return out;
}

/** Rewrite a zip after editing its entries (an attacker's rewrite: structure stays valid). */
export async function rezip(
  src: string,
  dst: string,
  edit: (entries: Map<string, Buffer>) => void,
  mode?: (name: string) => number | undefined,
): Promise<void> {
  const entries = await readAll(src);
  edit(entries);
  await writeEntries(
    dst,
    [...entries].map(([name, data]) => ({ name, data, mode: mode?.(name) })),
  );
}

export async function writeEntries(dst: string, entries: Array<{ name: string; data: Buffer; mode?: number | undefined; level?: number }>): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const e of entries)
    zip.addBuffer(e.data, e.name, {
      forceDosTimestamp: true,
      ...(e.mode !== undefined ? { mode: e.mode } : {}),
      ...(e.level !== undefined ? { compressionLevel: e.level } : {}),
    });
  zip.end();
  const out = createWriteStream(dst);
  zip.outputStream.pipe(out);
  await finished(out);
}

/** Replace every occurrence of `from` by `to` (same length) in a file's raw bytes. */
export function patchBytes(path: string, from: string, to: string): void {
  if (from.length !== to.length) throw new Error('patchBytes needs equal lengths');
  const buf = readFileSync(path);
  const a = Buffer.from(from);
  let n = 0;
  for (let i = buf.indexOf(a); i >= 0; i = buf.indexOf(a, i + 1), n++) Buffer.from(to).copy(buf, i);
  if (n === 0) throw new Error(`"${from}" not found`);
  writeFileSync(path, buf);
}

/** Flip one byte of a buffer (a copy) at a relative position. */
export function flip(data: Buffer, at = 0.5): Buffer {
  const b = Buffer.from(data);
  const i = Math.min(b.length - 1, Math.floor(b.length * at));
  b[i] = b[i]! ^ 0x01;
  return b;
}
