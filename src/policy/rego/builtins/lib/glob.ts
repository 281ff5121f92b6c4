// glob.match with the semantics of gobwas/glob as OPA uses it: `*` (no separators), `**` (any),
// `?` (one non-separator), `[abc]` `[a-z]` `[!abc]`, `{a,b}` alternatives, `\` escapes.

import { emitClass, NeedUnicode, u16 } from './go-regex-class.js';

/** A malformed glob pattern. */
export class GlobError extends Error {}

const cpOf = (c: string): number => c.codePointAt(0)!;

// Emitted without the u flag when possible (see go-regex.ts): V8 may then switch a pathological
// `*a*a*a*b` to its linear-time engine instead of backtracking for ever.
class GlobTranslator {
  pos = 0;
  readonly anyChar: string;
  readonly anyRun: string;
  readonly sepRun: string;
  constructor(
    readonly pattern: string,
    readonly seps: string[],
    readonly unicode: boolean,
  ) {
    const any = emitClass({ ranges: [[0, 0x10ffff]], raw: [] }, false, unicode);
    const notSep = seps.length ? emitClass({ ranges: seps.map((d) => [cpOf(d), cpOf(d)]), raw: [] }, true, unicode) : any;
    this.anyChar = notSep;
    this.anyRun = `(?:${any})*`;
    this.sepRun = `(?:${notSep})*`;
  }

  lit(c: string): string {
    if (this.unicode) return `\\u{${cpOf(c).toString(16)}}`;
    return c.length === 1 ? u16(c.charCodeAt(0)) : `(?:${u16(c.charCodeAt(0))}${u16(c.charCodeAt(1))})`;
  }

  // Translate until end (depth 0) or an unescaped ',' / '}' inside braces.
  seq(depth: number): string {
    const p = this.pattern;
    let out = '';
    while (this.pos < p.length) {
      const c = String.fromCodePoint(p.codePointAt(this.pos)!);
      if (depth > 0 && (c === ',' || c === '}')) break;
      this.pos += c.length;
      if (c === '\\') {
        if (this.pos >= p.length) throw new GlobError('unexpected end of pattern after escape');
        const e = String.fromCodePoint(p.codePointAt(this.pos)!);
        this.pos += e.length;
        out += this.lit(e);
      } else if (c === '*') {
        if (p[this.pos] === '*') {
          while (p[this.pos] === '*') this.pos++;
          out += this.anyRun;
        } else {
          out += this.sepRun;
        }
      } else if (c === '?') {
        out += this.anyChar;
      } else if (c === '[') {
        out += this.charClass();
      } else if (c === '{') {
        out += this.alternatives(depth);
      } else {
        out += this.lit(c);
      }
    }
    return out;
  }

  alternatives(depth: number): string {
    const alts: string[] = [];
    for (;;) {
      alts.push(this.seq(depth + 1));
      const c = this.pattern[this.pos];
      if (c === undefined) throw new GlobError('unexpected end of pattern: unclosed {');
      this.pos++;
      if (c === '}') break;
    }
    return `(?:${alts.join('|')})`;
  }

  charClass(): string {
    const p = this.pattern;
    let neg = false;
    if (p[this.pos] === '!') {
      neg = true;
      this.pos++;
    }
    const ranges: Array<[number, number]> = [];
    let n = 0;
    while (this.pos < p.length && p[this.pos] !== ']') {
      let c = String.fromCodePoint(p.codePointAt(this.pos)!);
      this.pos += c.length;
      if (c === '\\' && this.pos < p.length) {
        c = String.fromCodePoint(p.codePointAt(this.pos)!);
        this.pos += c.length;
      }
      if (p[this.pos] === '-' && this.pos + 1 < p.length && p[this.pos + 1] !== ']') {
        const hi = String.fromCodePoint(p.codePointAt(this.pos + 1)!);
        this.pos += 1 + hi.length;
        if (cpOf(hi) < cpOf(c)) throw new GlobError(`invalid range ${c}-${hi}`);
        ranges.push([cpOf(c), cpOf(hi)]);
      } else {
        ranges.push([cpOf(c), cpOf(c)]);
      }
      n++;
    }
    if (this.pos >= p.length) throw new GlobError('unexpected end of pattern: unclosed [');
    this.pos++;
    if (n === 0) throw new GlobError('empty character class');
    return emitClass({ ranges, raw: [] }, neg, this.unicode);
  }
}

const cache = new Map<string, RegExp>();

/** Compile a glob with separator characters (empty: none) into an anchored RegExp (cached). */
export function compileGlob(pattern: string, separators: string[]): RegExp {
  const key = JSON.stringify([pattern, separators]);
  const hit = cache.get(key);
  if (hit) return hit;
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${new GlobTranslator(pattern, separators, false).seq(0)})$`);
  } catch (e) {
    if (!(e instanceof NeedUnicode)) throw e;
    re = new RegExp(`^(?:${new GlobTranslator(pattern, separators, true).seq(0)})$`, 'u');
  }
  if (cache.size >= 1000) cache.clear();
  cache.set(key, re);
  return re;
}

/** glob.quote_meta: escape gobwas's special characters `* ? \ [ ] { }`. */
export function quoteGlobMeta(s: string): string {
  return s.replace(/[*?\\[\]{}]/g, (c) => `\\${c}`);
}
