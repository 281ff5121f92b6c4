// Escapes of Go's RE2 syntax: class escapes (\d \s \w, negations, \pN, \p{Name}) and
// single-character escapes (\n, \x41, \x{263a}, octal \101, escaped punctuation).
import { type ClassItems, GoRegexError, negateRanges, PERL, unicodeClass } from './go-regex-class.js';

/** A class escape at `pos` (a backslash): adds to `items`, returns the next position, or undefined. */
export function classEscapeAt(e: string, pos: number, items: ClassItems): number | undefined {
  const c = e[pos + 1]!;
  const perl = PERL[c.toLowerCase()];
  if (perl && 'dswDSW'.includes(c)) {
    items.ranges.push(...(c === c.toLowerCase() ? perl : negateRanges(perl)));
    return pos + 2;
  }
  if (c !== 'p' && c !== 'P') return undefined;
  let name: string;
  let next: number;
  if (e[pos + 2] === '{') {
    const close = e.indexOf('}', pos);
    if (close < 0) throw new GoRegexError('invalid character class range', e.slice(pos));
    name = e.slice(pos + 3, close);
    next = close + 1;
  } else {
    const ch = e.codePointAt(pos + 2);
    if (ch === undefined) throw new GoRegexError('invalid character class range', e.slice(pos));
    name = String.fromCodePoint(ch);
    next = pos + 2 + name.length;
  }
  const u = unicodeClass(name, c === 'P', e.slice(pos, next));
  if ('raw' in u) items.raw.push(u.raw);
  else items.ranges.push(...u.ranges);
  return next;
}

const SIMPLE: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };

/** A single-character escape at `pos` (a backslash): [code point, next position]. */
export function singleEscapeAt(e: string, start: number): [number, number] {
  const c = e[start + 1]!;
  let pos = start + 2;
  if (c in SIMPLE) return [SIMPLE[c]!, pos];
  if (c >= '0' && c <= '7') {
    // A lone non-zero digit would be a backreference, which RE2 does not have.
    if (c !== '0' && !/[0-7]/.test(e[pos] ?? '')) throw new GoRegexError('invalid escape sequence', e.slice(start, pos));
    let n = Number(c);
    for (let k = 0; k < 2 && /[0-7]/.test(e[pos] ?? ''); k++) n = n * 8 + Number(e[pos++]);
    return [n, pos];
  }
  if (c === 'x') {
    const m = /^\{([0-9A-Fa-f]+)\}|^([0-9A-Fa-f]{2})/.exec(e.slice(pos));
    const v = m ? parseInt(m[1] ?? m[2]!, 16) : NaN;
    if (!m || v > 0x10ffff) throw new GoRegexError('invalid escape sequence', e.slice(start, pos + (m?.[0].length ?? 0)));
    return [v, pos + m[0].length];
  }
  if (c.charCodeAt(0) < 0x80 && !/[A-Za-z0-9]/.test(c)) return [c.charCodeAt(0), pos];
  throw new GoRegexError('invalid escape sequence', `\\${String.fromCodePoint(e.codePointAt(start + 1)!)}`);
}
