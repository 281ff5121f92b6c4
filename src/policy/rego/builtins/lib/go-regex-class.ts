// Character classes of Go's RE2 syntax, emitted as JS class syntax (with or without u-mode).
import v8 from 'node:v8';

// Process-wide and harmless elsewhere: only a regexp that already backtracked excessively switches to
// V8's linear-time engine (which handles patterns without the u flag, lookaround or backreferences).
v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

/** Raised for patterns Go's regexp/syntax rejects; the message is Go's. */
export class GoRegexError extends Error {
  constructor(code: string, expr: string) {
    super(`error parsing regexp: ${code}: \`${expr}\``);
  }
}

/** Class items: code-point ranges plus raw JS escapes (\p{..}) that cannot be listed. */
export interface ClassItems {
  ranges: Array<[number, number]>;
  raw: string[];
}

const ASCII: Record<string, Array<[number, number]>> = {
  alnum: [
    [48, 57],
    [65, 90],
    [97, 122],
  ],
  alpha: [
    [65, 90],
    [97, 122],
  ],
  ascii: [[0, 0x7f]],
  blank: [
    [9, 9],
    [32, 32],
  ],
  cntrl: [
    [0, 31],
    [0x7f, 0x7f],
  ],
  digit: [[48, 57]],
  graph: [[33, 126]],
  lower: [[97, 122]],
  print: [[32, 126]],
  punct: [
    [33, 47],
    [58, 64],
    [91, 96],
    [123, 126],
  ],
  space: [
    [9, 13],
    [32, 32],
  ],
  upper: [[65, 90]],
  word: [
    [48, 57],
    [65, 90],
    [95, 95],
    [97, 122],
  ],
  xdigit: [
    [48, 57],
    [65, 70],
    [97, 102],
  ],
};

/** Perl classes as Go defines them (ASCII only; \s has no \v). */
export const PERL: Record<string, Array<[number, number]>> = {
  d: [[48, 57]],
  s: [
    [9, 10],
    [12, 13],
    [32, 32],
  ],
  w: ASCII.word!,
};

/** Complement of sorted, merged ranges over all code points. */
export function negateRanges(rs: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let next = 0;
  for (const [lo, hi] of mergeRanges(rs)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= 0x10ffff) out.push([next, 0x10ffff]);
  return out;
}

export function mergeRanges(rs: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...rs].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

/** Add simple case variants of every letter in the ranges (Go's (?i) fold for local scopes). */
export function foldRanges(rs: Array<[number, number]>): Array<[number, number]> {
  const out = [...rs];
  for (const [lo, hi] of rs) {
    if (hi - lo > 2000) {
      // Large ranges: fold the ASCII letters they cover; the rest is left as is.
      for (const [a, b, d] of [
        [65, 90, 32],
        [97, 122, -32],
      ] as const) {
        const l = Math.max(lo, a);
        const h = Math.min(hi, b);
        if (l <= h) out.push([l + d, h + d]);
      }
      continue;
    }
    for (let c = lo; c <= hi; c++) {
      const s = String.fromCodePoint(c);
      for (const v of [s.toLowerCase(), s.toUpperCase()]) {
        const cp = v.codePointAt(0)!;
        if (v.length === String.fromCodePoint(cp).length && cp !== c) out.push([cp, cp]);
      }
    }
  }
  return out;
}

const hex = (c: number): string => `\\u{${c.toString(16)}}`;

/** JS class body (without brackets) for the items. */
export function classBody(items: ClassItems): string {
  let s = '';
  for (const [lo, hi] of mergeRanges(items.ranges)) s += lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`;
  return s + items.raw.join('');
}

export const u16 = (c: number): string => `\\u${c.toString(16).padStart(4, '0')}`;

/** The pattern needs JS u-mode (Unicode property classes, partial astral ranges). */
export class NeedUnicode extends Error {}

/**
 * A class as JS. In u-mode a plain class; otherwise the BMP part as a class plus, when the class
 * covers every astral code point, a surrogate pair alternative. Partial astral coverage or Unicode
 * properties need u-mode (NeedUnicode).
 */
export function emitClass(items: ClassItems, negated: boolean, unicode: boolean): string {
  if (unicode) return `${negated ? '[^' : '['}${classBody(items)}]`;
  if (items.raw.length) throw new NeedUnicode();
  const ranges = mergeRanges(negated ? negateRanges(items.ranges) : items.ranges);
  const bmp: Array<[number, number]> = [];
  let astral = 0;
  for (const [lo, hi] of ranges) {
    for (const [a, b] of [
      [lo, Math.min(hi, 0xd7ff)],
      [Math.max(lo, 0xe000), Math.min(hi, 0xffff)],
    ] as const) {
      if (a <= b) bmp.push([a, b]);
    }
    if (hi >= 0x10000) astral += hi - Math.max(lo, 0x10000) + 1;
  }
  if (astral !== 0 && astral !== 0x100000) throw new NeedUnicode();
  const set = bmp.length ? `[${bmp.map(([a, b]) => (a === b ? u16(a) : `${u16(a)}-${u16(b)}`)).join('')}]` : '';
  const pair = astral ? '[\\ud800-\\udbff][\\udc00-\\udfff]' : '';
  if (set && pair) return `(?:${set}|${pair})`;
  return set || pair || '[]';
}

const GENERAL_CATEGORIES = new Set([
  'C',
  'Cc',
  'Cf',
  'Co',
  'Cs',
  'L',
  'Ll',
  'Lm',
  'Lo',
  'Lt',
  'Lu',
  'M',
  'Mc',
  'Me',
  'Mn',
  'N',
  'Nd',
  'Nl',
  'No',
  'P',
  'Pc',
  'Pd',
  'Pe',
  'Pf',
  'Pi',
  'Po',
  'Ps',
  'S',
  'Sc',
  'Sk',
  'Sm',
  'So',
  'Z',
  'Zl',
  'Zp',
  'Zs',
]);

/** A Unicode class \pX / \p{Name} / \PX as JS: general categories and scripts, as Go knows them. */
export function unicodeClass(name: string, negated: boolean, expr: string): { raw: string } | { ranges: Array<[number, number]> } {
  let neg = negated;
  let n = name;
  if (n.startsWith('^')) {
    neg = !neg;
    n = n.slice(1);
  }
  if (n === 'Any') return { ranges: neg ? [] : [[0, 0x10ffff]] };
  const body = GENERAL_CATEGORIES.has(n) ? `General_Category=${n}` : `Script=${n}`;
  try {
    new RegExp(`\\p{${body}}`, 'u');
  } catch {
    throw new GoRegexError('invalid character class range', expr);
  }
  return { raw: `\\${neg ? 'P' : 'p'}{${body}}` };
}

/** POSIX class [:name:] or [:^name:] as ranges; undefined when the name is unknown. */
export function posixClass(name: string): Array<[number, number]> | undefined {
  const neg = name.startsWith('^');
  const rs = ASCII[neg ? name.slice(1) : name];
  if (!rs) return undefined;
  return neg ? negateRanges(rs) : rs;
}
