// glob.match with the semantics of gobwas/glob as OPA uses it: `*` (no separators), `**` (any),
// `?` (one non-separator), `[abc]` `[a-z]` `[!abc]`, `{a,b}` alternatives, `\` escapes.

/** A malformed glob pattern. */
export class GlobError extends Error {}

const lit = (c: string): string => `\\u{${c.codePointAt(0)!.toString(16)}}`;

class GlobTranslator {
  pos = 0;
  constructor(readonly pattern: string, readonly anyChar: string, readonly anyRun: string, readonly sepRun: string) {}

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
        out += lit(e);
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
        out += lit(c);
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
    let body = '';
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
        if (hi.codePointAt(0)! < c.codePointAt(0)!) throw new GlobError(`invalid range ${c}-${hi}`);
        body += `${lit(c)}-${lit(hi)}`;
      } else {
        body += lit(c);
      }
      n++;
    }
    if (this.pos >= p.length) throw new GlobError('unexpected end of pattern: unclosed [');
    this.pos++;
    if (n === 0) throw new GlobError('empty character class');
    return neg ? `[^${body}]` : `[${body}]`;
  }
}

const cache = new Map<string, RegExp>();

/** Compile a glob with separator characters (empty: none) into an anchored RegExp (cached). */
export function compileGlob(pattern: string, separators: string[]): RegExp {
  const key = JSON.stringify([pattern, separators]);
  const hit = cache.get(key);
  if (hit) return hit;
  const any = '[\\u{0}-\\u{10ffff}]';
  const notSep = separators.length ? `[^${separators.map(lit).join('')}]` : any;
  const t = new GlobTranslator(pattern, notSep, `${any}*`, `${notSep}*`);
  const re = new RegExp(`^(?:${t.seq(0)})$`, 'u');
  if (cache.size >= 1000) cache.clear();
  cache.set(key, re);
  return re;
}

/** glob.quote_meta: escape gobwas's special characters `* ? \ [ ] { }`. */
export function quoteGlobMeta(s: string): string {
  return s.replace(/[*?\\[\]{}]/g, (c) => '\\' + c);
}
