// Go RE2 syntax: validated by translating it into an equivalent JS RegExp (u-mode), rejecting what
// RE2 rejects with Go's wording; matched by re2js (a port of RE2), so matching runs in linear time
// (ADR 0019): a backtracking engine takes exponential time on ^(a+)+$ and friends.
// Go semantics kept: `.` excludes only \n, \s \d \w \b are ASCII, ^/$ are text anchors unless (?m),
// flags (?imsU) may be scoped, named groups (?P<n>..) / (?<n>..), \A \z \Q..\E \pN \x{..} octal.

import { RE2JS } from 're2js';
import { type ClassItems, emitClass, foldRanges, GoRegexError, NeedUnicode, posixClass, u16 } from './go-regex-class.js';
import { classEscapeAt, singleEscapeAt } from './go-regex-escape.js';

export { GoRegexError };

/** A translated pattern: JS source (for flags "u"), its capture count and group names by index. */
export interface GoRegex {
  source: string;
  groups: number;
  names: Array<string | undefined>;
  /** The linear-time matcher, used like a global RegExp: callers set lastIndex and call exec/test. */
  re: LinearRegex;
}

/** The part of a global RegExp's interface the builtins use, over re2js (UTF-16 indices, as JS). */
export class LinearRegex {
  lastIndex = 0;
  constructor(private readonly re2: RE2JS) {}

  /** The leftmost-first match at or after lastIndex (Go's semantics); lastIndex moves past it. */
  exec(s: string): RegExpExecArray | null {
    const m = this.re2.matcher(s);
    if (this.lastIndex > s.length || !m.find(this.lastIndex)) {
      this.lastIndex = 0;
      return null;
    }
    const groups: Array<string | undefined> = [];
    for (let i = 0; i <= m.groupCount(); i++) groups.push(m.group(i) ?? undefined);
    const out = Object.assign(groups, { index: m.start(), input: s }) as unknown as RegExpExecArray;
    this.lastIndex = m.end();
    return out;
  }

  test(s: string): boolean {
    return this.exec(s) !== null;
  }
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}
/** One parsed atom: `prefix` is emitted before it (literal runes of \\Q..\\E that a repeat does not cover). */
interface Piece {
  js: string;
  assertion: boolean;
  prefix?: string;
}
const SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));
const cp = (c: number): string => `\\u{${c.toString(16)}}`;

class Translator {
  pos = 0;
  groups = 0;
  names: Array<string | undefined> = [undefined];
  /** `unicode`: emit for JS u-mode; otherwise emit UTF-16 code-unit syntax (see emitClass). */
  constructor(
    readonly expr: string,
    readonly unicode: boolean,
  ) {}

  emitClass(items: ClassItems, negated: boolean): string {
    return emitClass(items, negated, this.unicode);
  }

  err(code: string, text: string): GoRegexError {
    return new GoRegexError(code, text);
  }

  // alternation := sequence ('|' sequence)*; flags set by (?i) persist to the end of the group.
  alternation(outer: Flags, depth: number): string {
    const flags = { ...outer };
    let out = this.sequence(flags, depth);
    while (this.expr[this.pos] === '|') {
      this.pos++;
      out += `|${this.sequence(flags, depth)}`;
    }
    return out;
  }

  sequence(flags: Flags, depth: number): string {
    let out = '';
    let atom: { start: number; assertion: boolean } | undefined;
    let lastRepeat = '';
    while (this.pos < this.expr.length) {
      const c = this.expr[this.pos]!;
      if (c === '|' || c === ')') {
        if (c === ')' && depth === 0) throw this.err('unexpected )', this.expr);
        break;
      }
      const rep = this.repeatOp(flags);
      if (rep) {
        if (lastRepeat) throw this.err('invalid nested repetition operator', lastRepeat + rep.text);
        if (!atom) throw this.err('missing argument to repetition operator', rep.text);
        const body = out.slice(atom.start);
        out = out.slice(0, atom.start) + (atom.assertion ? `(?:${body})` : body) + rep.js;
        lastRepeat = rep.text;
        continue;
      }
      lastRepeat = '';
      const piece = this.atom(flags, depth);
      if (piece === undefined) {
        atom = undefined;
        continue;
      }
      out += piece.prefix ?? '';
      atom = piece.js === '' ? undefined : { start: out.length, assertion: piece.assertion };
      out += piece.js;
    }
    return out;
  }

  // A repetition operator at pos, or undefined ("{" that is not a valid repeat is a literal).
  repeatOp(flags: Flags): { text: string; js: string } | undefined {
    const rest = this.expr.slice(this.pos);
    let m = /^[*+?]/.exec(rest);
    let js: string;
    if (m) {
      js = m[0];
    } else {
      m = /^\{(\d+)(,(\d*))?\}/.exec(rest);
      if (!m) return undefined;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
      if (min > 1000 || max > 1000 || (max >= 0 && max < min)) throw this.err('invalid repeat count', m[0]);
      js = m[0];
    }
    const start = this.pos;
    this.pos += m[0].length;
    let lazy = false;
    if (this.expr[this.pos] === '?') {
      lazy = true;
      this.pos++;
    }
    if (flags.U) lazy = !lazy;
    return { text: this.expr.slice(start, this.pos), js: js + (lazy ? '?' : '') };
  }

  atom(flags: Flags, depth: number): Piece | undefined {
    const c = this.expr.codePointAt(this.pos)!;
    const ch = String.fromCodePoint(c);
    switch (ch) {
      case '(':
        return this.group(flags, depth);
      case '[':
        return { js: this.charClass(flags), assertion: false };
      case '\\':
        return this.escape(flags);
      case '.':
        this.pos++;
        return { js: this.emitClass({ ranges: flags.s ? [[0, 0x10ffff]] : [[10, 10]], raw: [] }, !flags.s), assertion: false };
      case '^':
        this.pos++;
        return { js: flags.m ? '(?:^|(?<=\\n))' : '^', assertion: true };
      case '$':
        this.pos++;
        return { js: flags.m ? '(?:$|(?=\\n))' : '$', assertion: true };
      default:
        this.pos += ch.length;
        return { js: this.literal(c, flags), assertion: false };
    }
  }

  literal(c: number, flags: Flags): string {
    if (flags.i) {
      const folded = foldRanges([[c, c]]);
      if (folded.length > 1) return this.emitClass({ ranges: folded, raw: [] }, false);
    }
    const ch = String.fromCodePoint(c);
    if (SYNTAX.has(ch)) return `\\${ch}`;
    if (/[A-Za-z0-9 _,:;'"!@#%&=<>~`]/.test(ch)) return ch;
    if (this.unicode) return cp(c);
    return ch.length === 1 ? u16(c) : `(?:${u16(ch.charCodeAt(0))}${u16(ch.charCodeAt(1))})`;
  }

  group(flags: Flags, depth: number): Piece | undefined {
    const start = this.pos;
    const rest = this.expr.slice(this.pos);
    let open = '(';
    let inner = { ...flags };
    if (rest.startsWith('(?P<') || rest.startsWith('(?<')) {
      const end = rest.indexOf('>');
      if (end < 0) throw this.err('invalid named capture', rest);
      const name = rest.slice(rest[2] === 'P' ? 4 : 3, end);
      if (!/^[A-Za-z0-9_]+$/.test(name)) throw this.err('invalid named capture', rest.slice(0, end + 1));
      this.pos += end + 1;
      this.names[++this.groups] = name;
    } else if (rest.startsWith('(?')) {
      const m = /^\(\?([imsU]*(?:-[imsU]+)?)([:)])/.exec(rest);
      if (!m) {
        const bad = /^\(\?[imsU]*(?:-[imsU]*)?/.exec(rest)![0].length;
        throw this.err('invalid or unsupported Perl syntax', rest.slice(0, bad + 1));
      }
      inner = applyFlags(flags, m[1]!);
      this.pos += m[0].length;
      if (m[2] === ')') {
        Object.assign(flags, inner); // flags for the rest of the current group
        return undefined;
      }
      open = '(?:';
    } else {
      this.pos++;
      this.names[++this.groups] = undefined;
    }
    const body = this.alternation(inner, depth + 1);
    if (this.expr[this.pos] !== ')') throw this.err('missing closing )', this.expr.slice(start));
    this.pos++;
    return { js: `${open + body})`, assertion: false };
  }

  escape(flags: Flags): Piece {
    const e = this.expr;
    const next = e[this.pos + 1];
    if (next === undefined) throw this.err('trailing backslash at end of expression', '');
    switch (next) {
      case 'A':
        this.pos += 2;
        return { js: '^', assertion: true };
      case 'z':
        this.pos += 2;
        return { js: '$', assertion: true };
      case 'b':
      case 'B':
        this.pos += 2;
        return { js: `\\${next}`, assertion: true };
      case 'Q': {
        this.pos += 2;
        const end = e.indexOf('\\E', this.pos);
        const text = e.slice(this.pos, end < 0 ? e.length : end);
        this.pos = end < 0 ? e.length : end + 2;
        // Each literal rune is its own atom in Go; a following repeat applies to the last one.
        const lits = [...text].map((ch) => this.literal(ch.codePointAt(0)!, flags));
        return { prefix: lits.slice(0, -1).join(''), js: lits[lits.length - 1] ?? '', assertion: false };
      }
    }
    const items: ClassItems = { ranges: [], raw: [] };
    if (this.classEscape(items)) {
      return { js: this.emitClass(flags.i ? { ranges: foldRanges(items.ranges), raw: items.raw } : items, false), assertion: false };
    }
    return { js: this.literal(this.singleEscape(), flags), assertion: false };
  }

  // \d \s \w \D \S \W \p \P at pos: adds to items, advances and returns true.
  classEscape(items: ClassItems): boolean {
    const next = classEscapeAt(this.expr, this.pos, items);
    if (next === undefined) return false;
    this.pos = next;
    return true;
  }

  // A single-character escape at pos; returns its code point and advances.
  singleEscape(): number {
    const [c, next] = singleEscapeAt(this.expr, this.pos);
    this.pos = next;
    return c;
  }

  charClass(flags: Flags): string {
    const e = this.expr;
    const start = this.pos;
    this.pos++;
    let negated = false;
    if (e[this.pos] === '^') {
      negated = true;
      this.pos++;
    }
    const items: ClassItems = { ranges: [], raw: [] };
    let first = true;
    while (this.pos < e.length && (e[this.pos] !== ']' || first)) {
      first = false;
      if (e.startsWith('[:', this.pos)) {
        const close = e.indexOf(':]', this.pos + 2);
        if (close >= 0) {
          const rs = posixClass(e.slice(this.pos + 2, close));
          if (!rs) throw this.err('invalid character class range', e.slice(this.pos, close + 2));
          items.ranges.push(...rs);
          this.pos = close + 2;
          continue;
        }
      }
      if (e[this.pos] === '\\' && this.pos + 1 < e.length && this.classEscape(items)) continue;
      const rangeStart = this.pos;
      const lo = this.classChar();
      let hi = lo;
      if (e[this.pos] === '-' && this.pos + 1 < e.length && e[this.pos + 1] !== ']') {
        this.pos++;
        hi = this.classChar();
        if (hi < lo) throw this.err('invalid character class range', e.slice(rangeStart, this.pos));
      }
      items.ranges.push([lo, hi]);
    }
    if (this.pos >= e.length) throw this.err('missing closing ]', e.slice(start));
    this.pos++;
    return this.emitClass(flags.i ? { ranges: foldRanges(items.ranges), raw: items.raw } : items, negated);
  }

  classChar(): number {
    const e = this.expr;
    if (e[this.pos] === '\\') {
      if (this.pos + 1 >= e.length) throw this.err('missing closing ]', e);
      return this.singleEscape();
    }
    const c = e.codePointAt(this.pos)!;
    this.pos += String.fromCodePoint(c).length;
    return c;
  }
}

function applyFlags(flags: Flags, spec: string): Flags {
  const out = { ...flags };
  let on = true;
  for (const f of spec) {
    if (f === '-') on = false;
    else out[f as keyof Flags] = on;
  }
  return out;
}

const cache = new Map<string, GoRegex>();

/**
 * Translate and compile a Go regular expression (cached). Throws GoRegexError with Go's message.
 * Patterns expressible without u-mode are compiled without it, so V8 can switch them to its linear-time
 * engine after excessive backtracking (enabled in go-regex-class.ts): RE2's linear-time promise, kept.
 */
export function compileGoRegex(expr: string): GoRegex {
  const hit = cache.get(expr);
  if (hit) return hit;
  let t: Translator;
  let source: string;
  try {
    t = new Translator(expr, false);
    source = t.alternation({ i: false, m: false, s: false, U: false }, 0);
  } catch (e) {
    if (!(e instanceof NeedUnicode)) throw e;
    t = new Translator(expr, true);
    source = t.alternation({ i: false, m: false, s: false, U: false }, 0);
  }
  if (t.pos < expr.length) throw new GoRegexError('unexpected )', expr);
  let re: LinearRegex;
  try {
    new RegExp(source, t.unicode ? 'gu' : 'g'); // the translation check: Go syntax RE2 accepts
    re = new LinearRegex(RE2JS.compile(expr));
  } catch (e) {
    throw new GoRegexError('invalid or unsupported expression', (e as Error).message);
  }
  const out: GoRegex = { source, groups: t.groups, names: t.names, re };
  if (cache.size >= 1000) cache.clear();
  cache.set(expr, out);
  return out;
}
