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

  /** After `first |`: try a comprehension body ending at `close`; undefined (position restored) if it is not one. */
  protected tryComprBody(close: string): Expr[] | undefined {
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

  protected parseArray(loc: Location): Term {
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
