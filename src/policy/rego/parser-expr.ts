/** Rego parser, expression level: literals, infix operators, terms, refs, comprehensions. */
import type { Expr, ExprBody, Term, TermOf, With } from './ast.js';
import { RegoError, regoError, type Location } from './errors.js';
import type { Token } from './lexer.js';
import { parseNumberLiteral } from './value.js';

const RELATIONS: Record<string, string> = { '==': 'equal', '!=': 'neq', '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte' };
const ARITH: Record<string, string> = { '+': 'plus', '-': 'minus' };
const FACTOR: Record<string, string> = { '*': 'mul', '/': 'div', '%': 'rem' };
const MAX_DEPTH = 1000;

/** Token handling plus expression/term parsing; the module-level parser extends it. */
export class ExprParser {
  protected pos = 0;
  /** >0 inside (), [] or {} terms: newlines do not end a literal there. */
  protected depth = 0;
  protected nesting = 0;
  private wildcards = 0;

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
  private enter(): void {
    if (++this.nesting > MAX_DEPTH) this.fail('expression nested too deeply');
  }

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
      body = this.parseExprBody();
    }
    const withs: With[] = [];
    while (this.isIdent('with') && this.cont()) {
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
    const domain = this.parseInfix(true, true);
    this.expectOp('{');
    const body = this.parseQuery(['}']);
    this.expectOp('}');
    if (body.length === 0) this.fail('every body must not be empty', kw);
    return key ? { kind: 'every', key, value, domain, body } : { kind: 'every', value, domain, body };
  }

  private parseExprBody(): ExprBody {
    const lhs = this.parseInfix(false);
    if (this.isOp(',') && this.depth === 0) {
      this.next();
      const v = this.parseInfix(false, true);
      if (!this.isIdent('in')) this.fail('expected in after key, value');
      const t = this.next();
      const coll = this.parseInfix(false, true);
      return { kind: 'term', term: { type: 'call', op: 'internal.member_3', opRef: this.opVar('internal.member_3', t), args: [lhs, v, coll], loc: lhs.loc, operator: true } };
    }
    if ((this.isOp('=') || this.isOp(':=')) && this.cont()) {
      const op = this.next().text;
      let rhs = this.parseInfix(false);
      if (this.isOp(',') && this.depth === 0) {
        this.next();
        const v = this.parseInfix(false, true);
        if (!this.isIdent('in')) this.fail('expected in after key, value');
        const t = this.next();
        const coll = this.parseInfix(false, true);
        rhs = { type: 'call', op: 'internal.member_3', opRef: this.opVar('internal.member_3', t), args: [rhs, v, coll], loc: rhs.loc, operator: true };
      }
      return op === '=' ? { kind: 'unify', lhs, rhs } : { kind: 'assign', lhs, rhs };
    }
    return { kind: 'term', term: lhs };
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
    let lhs = this.parseFactor();
    for (;;) {
      const t = this.peek();
      const op = t.kind === 'op' ? ARITH[t.text] : undefined;
      if (!op || !this.cont()) return lhs;
      this.next();
      lhs = this.call(op, t, [lhs, this.parseFactor()]);
    }
  }
  private parseFactor(): Term {
    let lhs = this.parseTerm();
    for (;;) {
      const t = this.peek();
      const op = t.kind === 'op' ? FACTOR[t.text] : undefined;
      if (!op || !this.cont()) return lhs;
      this.next();
      lhs = this.call(op, t, [lhs, this.parseTerm()]);
    }
  }

  // ---------- terms ----------
  /** A primary term followed by any refs and calls. */
  protected parseTerm(): Term {
    this.enter();
    let term = this.parsePrimary();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op') break;
      if (t.text === '.' && !t.ws && term.type !== 'scalar') {
        this.next();
        const id = this.peek();
        if (id.kind !== 'ident') this.fail('expected identifier after .', id);
        if (id.ws) this.fail('invalid whitespace between . and identifier', id);
        this.next();
        term = this.extendRef(term, { type: 'scalar', value: id.text, loc: this.loc(id) });
      } else if (t.text === '[' && !t.ws && term.type !== 'scalar') {
        this.next();
        this.depth++;
        const idx = this.parseInfix(false);
        this.depth--;
        this.expectOp(']');
        term = this.extendRef(term, idx);
      } else if (t.text === '(' && !t.ws && (term.type === 'var' || (term.type === 'ref' && isNameRef(term)))) {
        term = this.parseCall(term);
      } else break;
    }
    this.nesting--;
    return term;
  }

  private extendRef(term: Term, elem: Term): Term {
    if (term.type === 'ref') return { ...term, path: [...term.path, elem] };
    return { type: 'ref', head: term, path: [elem], loc: term.loc };
  }

  protected parseCall(fn: Term): Term {
    this.next();
    this.depth++;
    const args: Term[] = [];
    while (!this.isOp(')')) {
      args.push(this.parseInfix(false));
      if (!this.isOp(',')) break;
      this.next();
    }
    this.depth--;
    this.expectOp(')');
    const op = refName(fn);
    if (op === 'set' && args.length === 0) return { type: 'set', items: [], loc: fn.loc };
    return { type: 'call', op, opRef: fn, args, loc: fn.loc };
  }

  private parsePrimary(): Term {
    const t = this.peek();
    const loc = this.loc(t);
    switch (t.kind) {
      case 'number':
        this.next();
        return { type: 'scalar', value: parseNumberLiteral(t.text), loc };
      case 'string':
      case 'rawstring':
        this.next();
        return { type: 'scalar', value: t.text, loc };
      case 'ident':
        return this.parseIdent(t, loc);
      case 'eof':
        return this.fail('unexpected eof token');
    }
    switch (t.text) {
      case '[':
        return this.parseArray(loc);
      case '{':
        return this.parseBrace(loc);
      case '(': {
        this.next();
        this.depth++;
        const inner = this.parseInfix(false);
        this.depth--;
        this.expectOp(')');
        return inner.type === 'call' && inner.infix ? { ...inner, infix: false } : inner;
      }
      case '-': {
        this.next();
        const n = this.peek();
        if (n.kind !== 'number') this.fail('unary - can only be used with numeric literals', t);
        this.next();
        return { type: 'scalar', value: parseNumberLiteral('-' + n.text), loc };
      }
    }
    return this.fail(`unexpected ${JSON.stringify(t.text)} token`);
  }

  private parseIdent(t: Token, loc: Location): Term {
    this.next();
    switch (t.text) {
      case 'true':
        return { type: 'scalar', value: true, loc };
      case 'false':
        return { type: 'scalar', value: false, loc };
      case 'null':
        return { type: 'scalar', value: null, loc };
      case '_':
        return this.wildcard(loc);
    }
    const callable = this.isOp('(') && !this.peek().ws && (t.text === 'contains' || t.text === 'if');
    if (KEYWORDS.has(t.text) && !callable) this.fail(`unexpected keyword \`${t.text}\``, t);
    return { type: 'var', name: t.text, loc };
  }

  /** After `first |`: try a comprehension body ending at `close`; undefined (position restored) if it is not one. */
  private tryComprBody(close: string): Expr[] | undefined {
    const saved = { pos: this.pos, depth: this.depth, nesting: this.nesting };
    try {
      this.next();
      const body = this.parseQuery([close]);
      if (this.isOp(close) && body.length > 0) return body;
    } catch (e) {
      if (!(e instanceof RegoError)) throw e;
    }
    Object.assign(this, saved);
    return undefined;
  }

  private parseArray(loc: Location): Term {
    this.next();
    this.depth++;
    const items: Term[] = [];
    if (!this.isOp(']')) {
      const start = this.pos;
      let first = this.parseInfix(true);
      if (this.isOp('|')) {
        const body = this.tryComprBody(']');
        if (body) {
          this.depth--;
          this.expectOp(']');
          return { type: 'arraycompr', term: first, body, loc };
        }
        this.pos = start;
        first = this.parseInfix(false);
      }
      items.push(first);
      while (this.isOp(',')) {
        this.next();
        if (this.isOp(']')) break;
        items.push(this.parseInfix(false));
      }
    }
    this.depth--;
    this.expectOp(']');
    return { type: 'array', items, loc };
  }

  protected parseBrace(loc: Location): Term {
    this.next();
    this.depth++;
    if (this.isOp('}')) {
      this.next();
      this.depth--;
      return { type: 'object', items: [], loc };
    }
    const start = this.pos;
    let first = this.parseInfix(true);
    let result: Term | undefined;
    if (this.isOp(':')) {
      this.next();
      const valStart = this.pos;
      let val = this.parseInfix(true);
      if (this.isOp('|')) {
        const body = this.tryComprBody('}');
        if (body) result = { type: 'objectcompr', key: first, value: val, body, loc };
        else {
          this.pos = valStart;
          val = this.parseInfix(false);
        }
      }
      result ??= this.parseObjectRest(first, val, loc);
    } else {
      if (this.isOp('|')) {
        const body = this.tryComprBody('}');
        if (body) result = { type: 'setcompr', term: first, body, loc };
        else {
          this.pos = start;
          first = this.parseInfix(false);
        }
      }
      if (!result) {
        const items = [first];
        while (this.isOp(',')) {
          this.next();
          if (this.isOp('}')) break;
          items.push(this.parseInfix(false));
        }
        result = { type: 'set', items, loc };
      }
    }
    this.depth--;
    this.expectOp('}');
    return result;
  }

  private parseObjectRest(k: Term, v: Term, loc: Location): Term {
    const items: Array<[Term, Term]> = [[k, v]];
    while (this.isOp(',')) {
      this.next();
      if (this.isOp('}')) break;
      const key = this.parseInfix(false);
      this.expectOp(':');
      items.push([key, this.parseInfix(false)]);
    }
    return { type: 'object', items, loc };
  }
}

/** Keywords that cannot be used as variable names. */
export const KEYWORDS = new Set(['not', 'with', 'as', 'some', 'every', 'in', 'if', 'contains', 'else', 'default', 'package', 'import']);

function isNameRef(t: TermOf<'ref'>): boolean {
  return t.head.type === 'var' && t.path.every((p) => p.type === 'scalar' && typeof p.value === 'string');
}

/** Dotted name of a var or a ref of string segments (function names). */
export function refName(t: Term): string {
  if (t.type === 'var') return t.name;
  if (t.type === 'ref' && t.head.type === 'var') {
    return [t.head.name, ...t.path.map((p) => (p.type === 'scalar' ? String(p.value) : '?'))].join('.');
  }
  return '?';
}
