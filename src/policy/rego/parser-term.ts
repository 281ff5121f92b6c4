/** Rego parser, term level: scalars, vars, refs, calls, arrays, sets, objects, comprehensions. */
import type { Expr, Term, TermOf } from './ast.js';
import { type Location, RegoError } from './errors.js';
import type { Token } from './lexer.js';
import { TokenParser } from './parser-base.js';
import { parseNumberLiteral } from './value.js';

/** Terms; the infix and query levels are supplied by the expression parser. */
export abstract class TermParser extends TokenParser {
  protected abstract parseInfix(noPipe: boolean, noIn?: boolean): Term;
  protected abstract parseQuery(ends: string[]): Expr[];
  /** After `key` at a `,`: `, value in coll` as an internal.member_3 call. */
  protected abstract parseMemberTail(key: Term): Term;

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

  protected extendRef(term: Term, elem: Term): Term {
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

  protected parsePrimary(): Term {
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
        let inner = this.parseInfix(false);
        if (this.isOp(',')) inner = this.parseMemberTail(inner); // `(k, v in xs)`
        this.depth--;
        this.expectOp(')');
        return inner.type === 'call' && inner.infix ? { ...inner, infix: false } : inner;
      }
      case '-': {
        this.next();
        const n = this.peek();
        if (n.kind === 'ident') {
          // OPA accepts a negated var, ref or call (`-y`, `-y.a`, `-count(x)`): 0 - term
          const operand = this.parseTerm();
          return {
            type: 'call',
            op: 'minus',
            opRef: { type: 'var', name: 'minus', loc },
            args: [{ type: 'scalar', value: 0, loc }, operand],
            loc,
            operator: true,
          };
        }
        if (n.kind !== 'number') this.fail('unary - can only be used with numeric literals', t);
        this.next();
        return { type: 'scalar', value: parseNumberLiteral(`-${n.text}`), loc };
      }
    }
    return this.fail(`unexpected ${JSON.stringify(t.text)} token`);
  }

  protected parseIdent(t: Token, loc: Location): Term {
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

  /**
   * After `head |`: a comprehension body ending at `close`, or undefined (position restored) when the
   * body does not parse and a `,` follows (then it is a collection with an or-expression, as in OPA).
   * Any other failure is the parse error OPA reports.
   */
  protected tryComprBody(close: string): Expr[] | undefined {
    const saved = { pos: this.pos, depth: this.depth, nesting: this.nesting };
    let failure: unknown;
    try {
      this.next();
      const body = this.parseQuery([close]);
      if (this.isOp(close) && body.length > 0) return body;
    } catch (e) {
      if (!(e instanceof RegoError)) throw e;
      failure = e;
    }
    if (!this.isOp(',') && !this.firstExprEndsAtComma(saved.pos)) {
      if (failure) throw failure;
      this.fail(`unexpected ${JSON.stringify(this.peek().text)} token: expected a newline, ; or ${close}`);
    }
    Object.assign(this, saved);
    return undefined;
  }

  /** Whether the body's first expression after the `|` at `bar` stops at a `,` (OPA stops its body there). */
  private firstExprEndsAtComma(bar: number): boolean {
    const saved = { pos: this.pos, depth: this.depth, nesting: this.nesting };
    try {
      this.pos = bar;
      this.next();
      this.parseInfix(false, true);
      return this.isOp(',');
    } catch (e) {
      if (!(e instanceof RegoError)) throw e;
      return false;
    } finally {
      Object.assign(this, saved);
    }
  }

  /** Parsed collections by start token, so the comprehension-or-collection retries stay linear. */
  private readonly collections = new Map<number, { term: Term; end: number }>();

  /** A collection (`[`/`{`) at the cursor, parsed once per position. */
  protected memoCollection(parse: () => Term): Term {
    const start = this.pos;
    const hit = this.collections.get(start);
    if (hit) {
      this.pos = hit.end;
      return hit.term;
    }
    const term = parse();
    this.collections.set(start, { term, end: this.pos });
    return term;
  }

  /**
   * The first element of a collection, as OPA reads it: a plain term (refs and calls, no operator)
   * followed by `|` starts a comprehension; otherwise the element is a whole expression, re-read from
   * `start` unless the plain term already ends it. So `[x - {1} | y]` is an array of one or-expression
   * and `[x + 1 | some x in xs]` is a parse error, as in OPA 1.22.3.
   */
  protected collectionHead(close: string, compr: (head: Term, body: Expr[]) => Term): { head: Term } | { done: Term } {
    const start = this.pos;
    const head = this.parseTerm();
    if (this.isOp('|')) {
      const body = this.tryComprBody(close);
      if (body) return { done: compr(head, body) };
    }
    if (this.isOp(close) || this.isOp(',')) return { head };
    this.pos = start;
    return { head: this.parseInfix(false) };
  }

  protected parseArray(loc: Location): Term {
    return this.memoCollection(() => {
      this.next();
      this.depth++;
      const items: Term[] = [];
      if (!this.isOp(']')) {
        const first = this.collectionHead(']', (term, body): Term => ({ type: 'arraycompr', term, body, loc }));
        if ('done' in first) {
          this.depth--;
          this.expectOp(']');
          return first.done;
        }
        items.push(first.head);
        while (this.isOp(',')) {
          this.next();
          if (this.isOp(']')) break;
          items.push(this.parseInfix(false));
        }
      }
      this.depth--;
      this.expectOp(']');
      return { type: 'array', items, loc };
    });
  }

  protected parseBrace(loc: Location): Term {
    return this.memoCollection(() => this.parseBraceOnce(loc));
  }

  private parseBraceOnce(loc: Location): Term {
    this.next();
    this.depth++;
    if (this.isOp('}')) {
      this.next();
      this.depth--;
      return { type: 'object', items: [], loc };
    }
    let result: Term | undefined;
    const first = this.collectionHead('}', (term, body): Term => ({ type: 'setcompr', term, body, loc }));
    if ('done' in first) result = first.done;
    else if (this.isOp(':')) {
      const key = first.head;
      this.next();
      // the value of an object comprehension is a plain term too
      const val = this.collectionHead('}', (value, body): Term => ({ type: 'objectcompr', key, value, body, loc }));
      result = 'done' in val ? val.done : this.parseObjectRest(key, val.head, loc);
    } else {
      const items = [first.head];
      while (this.isOp(',')) {
        this.next();
        if (this.isOp('}')) break;
        items.push(this.parseInfix(false));
      }
      result = { type: 'set', items, loc };
    }
    this.depth--;
    this.expectOp('}');
    return result;
  }

  protected parseObjectRest(k: Term, v: Term, loc: Location): Term {
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
