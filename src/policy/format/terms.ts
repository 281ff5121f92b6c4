/**
 * Printing terms as `opa fmt` does: literals as written, refs with `.key` where the key is a plain
 * name, infix operators with parentheses around nested operator calls, collections kept on one line
 * or broken by their source rows (one group per row, trailing comma), comprehensions.
 */
import type { Expr, Term, TermOf } from '../rego/ast.js';
import type { Source } from './source.js';
import type { Pos, Writer } from './writer.js';

/** Builtins written infix, by the interpreter's operator names. */
export const INFIX: Record<string, string> = {
  plus: '+',
  minus: '-',
  mul: '*',
  div: '/',
  rem: '%',
  and: '&',
  or: '|',
  equal: '==',
  neq: '!=',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
  'internal.member_2': 'in',
  'internal.member_3': 'in',
};

const KEYWORDS = new Set(['as', 'default', 'else', 'false', 'import', 'package', 'not', 'null', 'true', 'with', 'some', 'in', 'if', 'contains', 'every']);

/** What the expression printer provides to terms (comprehension bodies). */
export interface ExprPrinter {
  writeExpr(e: Expr): void;
  writeBody(body: Expr[]): void;
}

export class TermPrinter {
  constructor(
    readonly w: Writer,
    readonly src: Source,
    readonly exprs: ExprPrinter,
  ) {}

  writeTerm(t: Term, parens = false): void {
    this.w.insertComments(t.loc);
    if (!this.w.inline) this.w.startLine();
    switch (t.type) {
      case 'scalar':
        this.w.write(this.scalarText(t));
        return;
      case 'var':
        this.w.write(t.generated || t.name.startsWith('$') ? '_' : t.name);
        return;
      case 'ref':
        this.writeRef(t);
        return;
      case 'array':
        this.w.write('[');
        this.writeIterable(t.items, t.loc, (x) => this.writeListItem(x, true));
        this.w.write(']');
        return;
      case 'set':
        if (t.items.length === 0) {
          this.w.write('set()');
          return;
        }
        this.w.write('{');
        this.writeIterable(t.items, t.loc, (x) => this.writeListItem(x, true));
        this.w.write('}');
        return;
      case 'object':
        this.w.write('{');
        this.writeIterable(
          t.items,
          t.loc,
          ([k, v]) => {
            this.writeListItem(k, true);
            this.w.write(': ');
            this.writeListItem(v, true);
          },
          ([k]) => k.loc,
        );
        this.w.write('}');
        return;
      case 'arraycompr':
        this.writeCompr('[', ']', t.term, t.body, t.loc);
        return;
      case 'setcompr':
        this.writeCompr('{', '}', t.term, t.body, t.loc);
        return;
      case 'objectcompr':
        this.w.write('{');
        this.writeListItem(t.key, true);
        this.w.write(': ');
        this.writeComprRest('}', t.value, t.body, t.loc, t.loc);
        return;
      case 'call':
        this.writeCall(t, parens);
        return;
    }
  }

  private scalarText(t: TermOf<'scalar'>): string {
    const v = t.value;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || (v !== null && typeof v === 'object')) {
      const lit = this.src.literal(t.loc);
      if (lit !== undefined) return lit;
      return typeof v === 'string' ? JSON.stringify(v) : String(v);
    }
    return v === null ? 'null' : String(v);
  }

  writeRef(t: TermOf<'ref'>): void {
    const headCall = t.head.type === 'call' && this.src.charAt(t.loc) === '(';
    if (headCall) this.w.write('(');
    this.writeTerm(t.head);
    if (headCall) this.w.write(')');
    for (const p of t.path) this.writeRefPart(p);
  }

  /** One path element: `.name`, `["key"]`, `[x]`. */
  writeRefPart(p: Term): void {
    if (p.type === 'scalar' && typeof p.value === 'string') {
      const quoted = this.src.charAt(p.loc) === '"';
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(p.value) && !(KEYWORDS.has(p.value) && quoted)) this.w.write(`.${p.value}`);
      else this.w.write(`[${this.scalarText(p)}]`);
      return;
    }
    this.w.write('[');
    this.writeTerm(p);
    this.w.write(']');
  }

  writeCall(t: TermOf<'call'>, parens: boolean): void {
    const sym = INFIX[t.op];
    if (sym === 'in') {
      this.writeIn(t.args, parens);
      return;
    }
    if (sym !== undefined && t.args.length === 2) {
      if (parens) this.w.write('(');
      this.writeTerm(t.args[0]!, true);
      this.w.write(` ${sym} `);
      this.writeTerm(t.args[1]!, true);
      if (parens) this.w.write(')');
      return;
    }
    this.writeTerm(t.opRef);
    this.w.write('(');
    this.writeIterable(t.args, t.opRef.loc, (x) => this.writeListItem(x, false));
    this.w.write(')');
  }

  /** A collection element or call argument: a `|` (union) call in parentheses where OPA puts them. */
  writeListItem(x: Term, parenUnion: boolean): void {
    const paren = isUnionCall(x) && (parenUnion || this.src.charAt(x.loc) === '(');
    if (paren) this.w.write('(');
    this.writeTerm(x);
    if (paren) this.w.write(')');
  }

  writeIn(args: Term[], parens: boolean): void {
    if (args.length === 3) {
      if (parens) this.w.write('(');
      this.writeTerm(args[0]!, true);
      this.w.write(', ');
      this.writeTerm(args[1]!, true);
      this.w.write(' in ');
      this.writeTerm(args[2]!, true);
      if (parens) this.w.write(')');
      return;
    }
    this.writeTerm(args[0]!, true);
    this.w.write(' in ');
    this.writeTerm(args[1]!, true);
  }

  /** Items on one line, or one source row per output line with a trailing comma. */
  writeIterable<T>(items: readonly T[], open: Pos, write: (x: T) => void, locOf: (x: T) => Pos = (x) => (x as unknown as Term).loc): void {
    if (items.length === 0) return;
    const lines: T[][] = [];
    let last = open.row;
    let cur: T[] = [];
    items.forEach((x, i) => {
      const row = locOf(x).row;
      if (row > last && i > 0) {
        lines.push(cur);
        cur = [];
      }
      last = row;
      cur.push(x);
    });
    lines.push(cur);
    const multi = lines.length > 1 || locOf(items[0]!).row > open.row;
    if (multi) {
      this.w.delayBeforeEnd();
      this.w.startMultilineSeq();
    }
    lines.forEach((line, i) => {
      line.forEach((x, j) => {
        if (j > 0) this.w.write(', ');
        write(x);
      });
      if (i < lines.length - 1) {
        this.w.write(',');
        this.w.endLine();
        this.w.startLine();
      }
    });
    if (multi) {
      this.w.write(',');
      this.w.endLine();
      this.w.down();
      this.w.startLine();
    }
  }

  private writeCompr(open: string, close: string, term: Term, body: Expr[], loc: Pos): void {
    this.w.write(open);
    this.writeComprRest(close, term, body, term.loc, loc);
  }

  private writeComprRest(close: string, term: Term, body: Expr[], termLoc: Pos, loc: Pos): void {
    if (termLoc.row - loc.row >= 1) {
      this.w.endLine();
      this.w.startLine();
    }
    // an operator call can only be a comprehension's head in parentheses (`[(x + 1) | ...]`): OPA's
    // parser reads `[x + 1 | ...]` as an array, so the parentheses are always printed
    this.writeTerm(term, term.type === 'call' && (INFIX[term.op] !== undefined || this.src.charAt(term.loc) === '('));
    this.w.write(' |');
    const multi = (body[0]?.loc.row ?? termLoc.row) > termLoc.row || new Set(body.map((e) => e.loc.row)).size > 1;
    if (multi) {
      this.w.endLine();
      this.w.up();
      this.exprs.writeBody(body);
      this.w.down();
      this.w.startLine();
    } else {
      this.w.write(' ');
      body.forEach((e, i) => {
        if (i > 0) this.w.write('; ');
        this.exprs.writeExpr(e);
      });
    }
    this.w.write(close);
  }
}

/** A call of the `|` operator (set union). */
export function isUnionCall(t: Term): boolean {
  return t.type === 'call' && t.op === 'or' && t.args.length === 2;
}
