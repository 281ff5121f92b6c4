/**
 * A deterministic tar.gz writer for bundles: ustar headers (PAX records for long names), regular files
 * only, mode 0644, uid/gid 0, mtime 0, entries in the order given, so the same files give the same bytes.
 */
import { gzipSync } from 'node:zlib';

const BLOCK = 512;

/** One archive member; `name` is written with a leading "/" as `opa build` does. */
export interface TarEntry {
  name: string;
  data: Buffer;
}

/**
 * @example writeTarGz([{ name: '/data.json', data: Buffer.from('{}') }])
 */
export function writeTarGz(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (Buffer.byteLength(e.name) > 99) parts.push(...record('x', 'PaxHeader', paxBody(e.name)));
    parts.push(...record('0', Buffer.byteLength(e.name) > 99 ? e.name.slice(-99).replace(/^[^/]*\//, '') : e.name, e.data));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return gzipSync(Buffer.concat(parts), { level: 9 });
}

function paxBody(path: string): Buffer {
  const rest = ` path=${path}\n`;
  let len = Buffer.byteLength(rest) + 1;
  while (String(len).length + Buffer.byteLength(rest) !== len) len = String(len).length + Buffer.byteLength(rest);
  return Buffer.from(`${len}${rest}`, 'utf8');
}

function record(type: string, name: string, data: Buffer): Buffer[] {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  h.write('00000000000\0', 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(type, 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
  return [h, data, Buffer.alloc(pad)];
}
