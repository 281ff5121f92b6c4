// Byte codecs with Go's acceptance rules and error wording: base64 (std/url, strict padding),
// hex, and URL query escaping (net/url QueryEscape, QueryUnescape, ParseQuery).

/** A decoding error worded as Go's. */
export class CodecError extends Error {}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8');

/** Go's string(bytes): invalid UTF-8 becomes U+FFFD here (JS strings hold no raw bytes). */
export const bytesToString = (b: Uint8Array): string => fromUtf8.decode(b);

/** Go's base64 DecodeString for the std ("+/") or URL ("-_") alphabet, padding required. */
export function base64Decode(s: string, url: boolean): Uint8Array {
  const alphabet = url ? /[A-Za-z0-9\-_]/ : /[A-Za-z0-9+/]/;
  const clean = s.replace(/[\r\n]/g, '');
  let i = 0;
  while (i < clean.length && alphabet.test(clean[i]!)) i++;
  const data = i;
  while (i < clean.length && clean[i] === '=' && i - data < 2) i++;
  const pad = i - data;
  const bad = (at: number): CodecError => new CodecError(`illegal base64 data at input byte ${at}`);
  if (i < clean.length) throw bad(i);
  if ((data + pad) % 4 !== 0) throw bad(pad > 0 ? data : Math.floor(data / 4) * 4 + (data % 4 === 1 ? 0 : data % 4));
  if (pad > 0 && (data % 4) + pad !== 4) throw bad(data);
  return new Uint8Array(Buffer.from(clean.slice(0, data), url ? 'base64url' : 'base64'));
}

export function base64Encode(s: string, url: boolean, pad = true): string {
  const b = Buffer.from(utf8.encode(s)).toString(url ? 'base64url' : 'base64');
  if (!url) return b;
  return pad ? b + '='.repeat((4 - (b.length % 4)) % 4) : b;
}

/** Go's hex.DecodeString (errors: invalid byte, odd length). */
export function hexDecode(s: string): Uint8Array {
  const bytes = utf8.encode(s);
  const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
  for (let i = 0; i < bytes.length - (bytes.length % 2); i++) {
    if (!isHex(bytes[i]!)) throw invalidByte(bytes[i]!);
  }
  if (bytes.length % 2 === 1) {
    if (!isHex(bytes[bytes.length - 1]!)) throw invalidByte(bytes[bytes.length - 1]!);
    throw new CodecError('encoding/hex: odd length hex string');
  }
  return new Uint8Array(Buffer.from(s, 'hex'));
}

function invalidByte(b: number): CodecError {
  const ch = b < 0x80 && b >= 0x20 ? ` '${String.fromCharCode(b)}'` : '';
  return new CodecError(`encoding/hex: invalid byte: U+${b.toString(16).toUpperCase().padStart(4, '0')}${ch}`);
}

export const hexEncode = (s: string): string => Buffer.from(utf8.encode(s)).toString('hex');

/** Go's url.QueryEscape: unreserved bytes kept, space as '+', the rest %XX. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of utf8.encode(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (b === 0x20) out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Go's url.QueryUnescape ('+' is a space; a bad escape is an error). */
export function queryUnescape(s: string): string {
  const out: number[] = [];
  const bytes = utf8.encode(s);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x25) {
      const h = String.fromCharCode(bytes[i + 1] ?? 0, bytes[i + 2] ?? 0);
      if (i + 2 >= bytes.length || !/^[0-9A-Fa-f]{2}$/.test(h)) {
        const bad = bytesToString(bytes.slice(i, Math.min(i + 3, bytes.length)));
        throw new CodecError(`invalid URL escape ${JSON.stringify(bad)}`);
      }
      out.push(parseInt(h, 16));
      i += 2;
    } else {
      out.push(b === 0x2b ? 0x20 : b);
    }
  }
  return bytesToString(Uint8Array.from(out));
}

/** Go's url.ParseQuery: "a=1&a=2&b" → Map {a: [1, 2], b: [""]}; ';' is rejected. */
export function parseQuery(q: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let first: CodecError | undefined;
  for (const part of q.split('&')) {
    if (part === '') continue;
    try {
      if (part.includes(';')) throw new CodecError('invalid semicolon separator in query');
      const eq = part.indexOf('=');
      const k = queryUnescape(eq < 0 ? part : part.slice(0, eq));
      const v = queryUnescape(eq < 0 ? '' : part.slice(eq + 1));
      out.set(k, [...(out.get(k) ?? []), v]);
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      first ??= e;
    }
  }
  if (first) throw first;
  return out;
}
