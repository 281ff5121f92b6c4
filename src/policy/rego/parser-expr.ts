/** Rego parser, expression level: queries, literals (some, every, not, with), infix operators. */
import type { Expr, ExprBody, Term, TermOf, With } from './ast.js';
import type { Token } from './lexer.js';
import { MAX_DEPTH } from './parser-base.js';
import { TermParser } from './parser-term.js';

const RELATIONS: Record<string, string> = { '==': 'equal', '!=': 'neq', '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte' };
const ARITH: Record<string, string> = { '+': 'plus', '-': 'minus' };
const FACTOR: Record<string, string> = { '*': 'mul', '/': 'div', '%': 'rem' };

/** Expressions and queries; the module-level parser extends it. */
export class ExprParser extends TermParser {
  /** `not { query }` (OPA's future.keywords.not / rego.v2): negation of a whole block. */
  protected notBlocks = false;

  // ---------- queries and literals ----------
  /** Literals separated by ';' or newlines until one of `ends`. */
  protected parseQuery(ends: string[]): Expr[] {
    const saved = this.depth;
    this.depth = 0;
    const out: Expr[] = [];
    for (;;) {
      while (this.isOp(';')) this.next();
      const t = this.peek();
      if (t.kind === 'eof' || (t.kind === 'op' && ends.includes(t.text))) break;
      if (out.length > 0 && !t.nl && !this.isOp(';', -1)) {
        this.fail(`unexpected ${JSON.stringify(t.text)}: expecting ${ends.length > 0 ? 'end of expression' : 'EOF'}`);
      }
      out.push(this.parseLiteral());
    }
    this.depth = saved;
    return out;
  }

  protected parseLiteral(): Expr {
    const start = this.peek();
    let negated = false;
    let body: ExprBody;
    if (this.isIdent('some')) body = this.parseSome();
    else if (this.isIdent('every')) body = this.parseEvery();
    else {
      if (this.isIdent('not')) {
        this.next();
        negated = true;
      }
      body = negated && this.notBlocks && this.isOp('{') ? this.parseNotBlock() : this.parseExprBody();
    }
    const withs: With[] = [];
    // `with` is a keyword, so one on the next line continues this literal (as in OPA)
    while (this.isIdent('with')) {
      const wt = this.next();
      this.enter();
      const target = this.parseTerm();
      if (!this.isIdent('as')) this.fail('expected as after with target');
      this.next();
      const value = this.parseInfix(false);
      this.nesting--;
      withs.push({ target, value, loc: this.loc(wt) });
    }
    const text = this.src.slice(start.offset, this.lastEnd());
    return { ...body, negated, with: withs, loc: this.loc(start), text };
  }

  /**
   * `not { q1; q2 }` is true when the block has no solution: it is lowered to the negation of
   * `[true | q1; q2][0]`, defined exactly when the block has one (outer vars are captured as usual).
   */
  private parseNotBlock(): ExprBody {
    const open = this.expectOp('{');
    const loc = this.loc(open);
    const body = this.parseQuery(['}']);
    this.expectOp('}');
    if (body.length === 0) this.fail('not block must not be empty', open);
    const compr: Term = { type: 'arraycompr', term: { type: 'scalar', value: true, loc }, body, loc };
    return { kind: 'term', term: { type: 'ref', head: compr, path: [{ type: 'scalar', value: 0, loc }], loc } };
  }

  private parseSome(): ExprBody {
    const kw = this.next();
    const terms: Term[] = [this.parseInfix(true, true)];
    while (this.isOp(',')) {
      this.next();
      terms.push(this.parseInfix(true, true));
    }
    if (this.isIdent('in')) {
      this.next();
      if (terms.length > 2) this.fail('unexpected , in some-in: at most key and value', kw);
      const coll = this.parseInfix(true, true);
      return terms.length === 2 ? { kind: 'somein', key: terms[0]!, value: terms[1]!, coll } : { kind: 'somein', value: terms[0]!, coll };
    }
    // `some x in xs` where the parser folded `x in xs` into a membership call
    if (terms.length === 1 && terms[0]!.type === 'call' && terms[0]!.op === 'internal.member_2') {
      const [value, coll] = terms[0]!.args as [Term, Term];
      return { kind: 'somein', value, coll };
    }
    const vars: Array<TermOf<'var'>> = [];
    for (const t of terms) {
      if (t.type !== 'var') this.fail('expected var in some declaration', kw);
      vars.push(t);
    }
    return { kind: 'some', vars };
  }

  private parseEvery(): ExprBody {
    const kw = this.next();
    const first = this.parseInfix(true, true);
    let key: Term | undefined;
    let value = first;
    if (this.isOp(',')) {
      this.next();
      key = first;
      value = this.parseInfix(true, true);
    }
    if (!this.isIdent('in')) this.fail('expected in after every variables', kw);
    this.next();
    const domain = this.parseInfix(false, true); // `every x in a | b { ... }`: the domain may use |
    this.expectOp('{');
    const body = this.parseQuery(['}']);
    this.expectOp('}');
    if (body.length === 0) this.fail('every body must not be empty', kw);
    return key ? { kind: 'every', key, value, domain, body } : { kind: 'every', value, domain, body };
  }

  private parseExprBody(): ExprBody {
    const lhs = this.parseInfix(false);
    if (this.isOp(',') && this.depth === 0) return { kind: 'term', term: this.parseMemberTail(lhs) };
    if ((this.isOp('=') || this.isOp(':=')) && this.cont()) {
      const op = this.next().text;
      let rhs = this.parseInfix(false);
      if (this.isOp(',') && this.depth === 0) rhs = this.parseMemberTail(rhs);
      return op === '=' ? { kind: 'unify', lhs, rhs } : { kind: 'assign', lhs, rhs };
    }
    return { kind: 'term', term: lhs };
  }

  protected parseMemberTail(key: Term): Term {
    this.next();
    const v = this.parseInfix(false, true);
    if (!this.isIdent('in')) this.fail('expected in after key, value');
    const t = this.next();
    const coll = this.parseInfix(false, true);
    return { type: 'call', op: 'internal.member_3', opRef: this.opVar('internal.member_3', t), args: [key, v, coll], loc: key.loc, operator: true };
  }

  // ---------- infix levels ----------
  protected opVar(name: string, t: Token): Term {
    return { type: 'var', name, loc: this.loc(t) };
  }
  private readonly chainDepth = new WeakMap<Term, number>();
  private call(op: string, t: Token, args: Term[]): Term {
    const depth = 1 + Math.max(...args.map((a) => this.chainDepth.get(a) ?? 0));
    if (depth > MAX_DEPTH) this.fail('expression nested too deeply', t);
    const term: Term = { type: 'call', op, opRef: this.opVar(op, t), args, loc: args[0]!.loc, infix: true, operator: true };
    this.chainDepth.set(term, depth);
    return term;
  }

  /** A term with infix operators. `noPipe` stops at `|` (comprehensions); `noIn` stops at `in`. */
  protected parseInfix(noPipe: boolean, noIn = false): Term {
    this.enter();
    let lhs = this.parseRelation(noPipe);
    while (!noIn && this.isIdent('in') && this.cont()) {
      const t = this.next();
      lhs = this.call('internal.member_2', t, [lhs, this.parseRelation(noPipe)]);
    }
    this.nesting--;
    return lhs;
  }
  private parseRelation(noPipe: boolean): Term {
    let lhs = this.parseOr(noPipe);
    for (;;) {
      const t = this.peek();
      const op = t.kind === 'op' ? RELATIONS[t.text] : undefined;
      if (!op || !this.cont()) return lhs;
      this.next();
      lhs = this.call(op, t, [lhs, this.parseOr(noPipe)]);
    }
  }
  private parseOr(noPipe: boolean): Term {
    let lhs = this.parseAnd();
    while (!noPipe && this.isOp('|') && this.cont()) {
      const t = this.next();
      lhs = this.call('or', t, [lhs, this.parseAnd()]);
    }
    return lhs;
  }
  private parseAnd(): Term {
    let lhs = this.parseArith();
    while (this.isOp('&') && this.cont()) {
      const t = this.next();
      lhs = this.call('and', t, [lhs, this.parseArith()]);
    }
    return lhs;
  }
  private parseArith(): Term {
    return this.parseLeftAssoc(ARITH, () => this.parseFactor());
  }
  private parseFactor(): Term {
    return this.parseLeftAssoc(FACTOR, () => this.parseTerm());
  }
  /** One left-associative precedence level: operand (op operand)*, ops mapped to builtin names. */
  private parseLeftAssoc(ops: Record<string, string>, operand: () => Term): Term {
    let lhs = operand();
    for (;;) {
      const t = this.peek();
      const op = t.kind === 'op' ? ops[t.text] : undefined;
      if (!op || !this.cont()) return lhs;
      this.next();
      lhs = this.call(op, t, [lhs, operand()]);
    }
  }
}

export { KEYWORDS, refName } from './parser-term.js';
