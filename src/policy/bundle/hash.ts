/**
 * File digests as OPA computes them for `.signatures.json`: raw bytes for policies and other files;
 * for structured documents (data.json, data.yaml, .manifest) the SHA-256 of a canonical JSON text
 * (object keys sorted bytewise, no whitespace, numbers as written, strings escaped as Go's encoder
 * does with HTML escaping off), so reformatting a data file keeps its signature valid.
 */
import { BundleError } from './errors.js';

/** The hash algorithm named in OPA's payload. */
export const BUNDLE_HASH_ALGORITHM = 'SHA-256';

/** Is this file a structured document that OPA hashes canonically (by its base name)? */
export function isStructuredDoc(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return base === 'data.json' || base === 'data.yaml' || base === 'data.yml' || base === '.manifest';
}

/** Canonical text of plain data (used for YAML documents and the manifest we write). */
export function canonicalOfValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map(canonicalOfValue).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => byteCompare(a, b));
  return `{${entries.map(([k, x]) => `${goString(k)}:${canonicalOfValue(x)}`).join(',')}}`;
}

function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

// Go's encoding/json string form with SetEscapeHTML(false).
function goString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else if (c >= 0xd800 && c <= 0xdfff) out += '\ufffd';
    else out += ch;
  }
  return `${out}"`;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw U+0000-U+001F inside a string; this class excludes them on purpose
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const SCALAR = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

/** Re-encode JSON text canonically, keeping number literals exactly as written; last duplicate key wins. */
export function canonicalJson(text: string, name: string): string {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let i = 0;
  const fail = (why: string): never => {
    throw new BundleError('BUNDLE_FILE_INVALID', `${name}: not valid JSON at offset ${i} (${why})`);
  };
  const ws = (): void => {
    while (i < src.length && ' \t\r\n'.includes(src[i]!)) i++;
  };
  const str = (): string => {
    STRING.lastIndex = i;
    const m = STRING.exec(src);
    if (!m) return fail('bad string');
    i += m[0].length;
    return JSON.parse(m[0]) as string;
  };
  const value = (depth: number): string => {
    if (depth > 10_000) fail('nested too deeply');
    ws();
    const c = src[i];
    if (c === '{') {
      i++;
      const entries = new Map<string, string>();
      ws();
      if (src[i] === '}') {
        i++;
        return '{}';
      }
      for (;;) {
        ws();
        const k = str();
        ws();
        if (src[i++] !== ':') fail('expected :');
        entries.set(k, value(depth + 1));
        ws();
        if (src[i] === ',') i++;
        else if (src[i] === '}') break;
        else fail('expected , or }');
      }
      i++;
      return `{${[...entries]
        .sort(([a], [b]) => byteCompare(a, b))
        .map(([k, v]) => `${goString(k)}:${v}`)
        .join(',')}}`;
    }
    if (c === '[') {
      i++;
      const items: string[] = [];
      ws();
      if (src[i] === ']') {
        i++;
        return '[]';
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (src[i] === ',') i++;
        else if (src[i] === ']') break;
        else fail('expected , or ]');
      }
      i++;
      return `[${items.join(',')}]`;
    }
    if (c === '"') return goString(str());
    SCALAR.lastIndex = i;
    const m = SCALAR.exec(src);
    if (!m) return fail('unexpected character');
    i += m[0].length;
    return m[0];
  };
  const out = value(0);
  ws();
  if (i !== src.length) fail('trailing characters');
  return out;
}
