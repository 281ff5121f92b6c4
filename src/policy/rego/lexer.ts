/** Rego lexer: source text → tokens with locations. Keywords are decided by the parser. */
import { regoError } from './errors.js';

export type TokenKind = 'ident' | 'number' | 'string' | 'rawstring' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Identifier name, operator text, number text, or decoded string value. */
  text: string;
  row: number;
  col: number;
  offset: number;
  end: number;
  /** A newline (or comment line) precedes the token. */
  nl: boolean;
  /** Whitespace (any) immediately precedes the token. */
  ws: boolean;
}

const OPS3: string[] = [];
const OPS2 = [':=', '==', '!=', '<=', '>='];
const OPS1 = new Set(['=', '<', '>', '+', '-', '*', '/', '%', '&', '|', '.', ',', ';', ':', '[', ']', '{', '}', '(', ')']);

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** Tokenise a module; throws RegoError (rego_parse_error) on bad input. */
export function tokenize(src: string, file: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  let row = 1;
  let lineStart = 0;
  let nl = true;
  let ws = true;
  const fail = (msg: string, at = i): never => {
    throw regoError('rego_parse_error', msg, { file, row, col: at - lineStart + 1 });
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      i++;
      row++;
      lineStart = i;
      nl = ws = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      ws = true;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      ws = true;
      continue;
    }
    const start = i;
    const col = i - lineStart + 1;
    const push = (kind: TokenKind, text: string): void => {
      toks.push({ kind, text, row, col, offset: start, end: i, nl, ws });
      nl = ws = false;
    };
    if (isIdentStart(c)) {
      while (i < src.length && (isIdentStart(src[i]!) || isDigit(src[i]!))) i++;
      push('ident', src.slice(start, i));
      continue;
    }
    if (isDigit(c)) {
      i = scanNumber(src, i, fail);
      push('number', src.slice(start, i));
      continue;
    }
    if (c === '"') {
      const r = scanString(src, i, fail);
      i = r.end;
      push('string', r.value);
      continue;
    }
    if (c === '`') {
      const endIdx = src.indexOf('`', i + 1);
      if (endIdx < 0) fail('non-terminated raw string');
      const value = src.slice(i + 1, endIdx);
      for (const ch of value) if (ch === '\n') row++;
      const lastNl = value.lastIndexOf('\n');
      i = endIdx + 1;
      toks.push({ kind: 'rawstring', text: value, row: row - countNl(value), col, offset: start, end: i, nl, ws });
      if (lastNl >= 0) lineStart = start + 1 + lastNl + 1;
      nl = ws = false;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (OPS2.includes(two) || OPS3.includes(two)) {
      i += 2;
      push('op', two);
      continue;
    }
    if (OPS1.has(c)) {
      i++;
      push('op', c);
      continue;
    }
    fail(`illegal token ${JSON.stringify(c)}`);
  }
  toks.push({ kind: 'eof', text: '', row, col: i - lineStart + 1, offset: i, end: i, nl, ws });
  return toks;
}

function countNl(s: string): number {
  let n = 0;
  for (const ch of s) if (ch === '\n') n++;
  return n;
}

function scanNumber(src: string, i: number, fail: (m: string, at?: number) => never): number {
  const start = i;
  while (i < src.length && isDigit(src[i]!)) i++;
  if (src[start] === '0' && i - start > 1) fail('invalid number: leading zero', start);
  if (src[i] === '.' && isDigit(src[i + 1] ?? '')) {
    i++;
    while (i < src.length && isDigit(src[i]!)) i++;
  }
  if (src[i] === 'e' || src[i] === 'E') {
    let j = i + 1;
    if (src[j] === '+' || src[j] === '-') j++;
    if (isDigit(src[j] ?? '')) {
      i = j;
      while (i < src.length && isDigit(src[i]!)) i++;
    }
  }
  if (i < src.length && (isIdentStart(src[i]!) || (src[i] === '.' && isIdentStart(src[i + 1] ?? '')))) {
    fail('invalid number', start);
  }
  return i;
}

function scanString(src: string, i: number, fail: (m: string, at?: number) => never): { value: string; end: number } {
  let out = '';
  let j = i + 1;
  for (;;) {
    if (j >= src.length || src[j] === '\n') fail('non-terminated string', i);
    const ch = src[j]!;
    if (ch === '"') return { value: out, end: j + 1 };
    if (ch !== '\\') {
      out += ch;
      j++;
      continue;
    }
    const e = src[j + 1];
    const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
    if (e !== undefined && simple[e] !== undefined) {
      out += simple[e];
      j += 2;
    } else if (e === 'u') {
      const hex = src.slice(j + 2, j + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid unicode escape in string', j);
      out += String.fromCharCode(parseInt(hex, 16));
      j += 6;
    } else {
      fail(`invalid escape sequence \\${e ?? ''} in string`, j);
    }
  }
}
