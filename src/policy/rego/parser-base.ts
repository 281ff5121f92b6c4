/** Rego parser, token level: cursor, lookahead, locations, errors, nesting bound. */
import type { TermOf } from './ast.js';
import { type Location, regoError } from './errors.js';
import type { Token } from './lexer.js';

/** Nesting bound: deeper input is a located parse error, never a stack overflow. */
export const MAX_DEPTH = 1000;

/** Token cursor shared by the term, expression and module parsers. */
export class TokenParser {
  protected pos = 0;
  /** >0 inside (), [] or {} terms: newlines do not end a literal there. */
  protected depth = 0;
  protected nesting = 0;
  protected wildcards = 0;

  constructor(
    protected readonly toks: Token[],
    protected readonly file: string,
    protected readonly src: string,
  ) {}

  // ---------- token helpers ----------
  protected peek(k = 0): Token {
    return this.toks[Math.min(this.pos + k, this.toks.length - 1)]!;
  }
  protected next(): Token {
    const t = this.peek();
    if (this.pos < this.toks.length - 1) this.pos++;
    return t;
  }
  protected isOp(s: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'op' && t.text === s;
  }
  protected isIdent(name: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'ident' && t.text === name;
  }
  protected loc(t: Token = this.peek()): Location {
    return { file: this.file, row: t.row, col: t.col };
  }
  protected fail(msg: string, t: Token = this.peek()): never {
    throw regoError('rego_parse_error', msg, this.loc(t));
  }
  protected expectOp(s: string): Token {
    if (!this.isOp(s)) {
      const t = this.peek();
      this.fail(`expected ${s} but got ${t.kind === 'eof' ? 'EOF' : JSON.stringify(t.text)}`);
    }
    return this.next();
  }
  /** The token may continue the current expression (same line, or inside brackets). */
  protected cont(t: Token = this.peek()): boolean {
    return this.depth > 0 || !t.nl;
  }
  protected lastEnd(): number {
    return this.toks[Math.max(this.pos - 1, 0)]!.end;
  }
  protected wildcard(loc: Location): TermOf<'var'> {
    return { type: 'var', name: `$${this.wildcards++}`, loc, generated: true };
  }
  protected enter(): void {
    if (++this.nesting > MAX_DEPTH) this.fail('expression nested too deeply');
  }
}
