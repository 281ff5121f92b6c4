/** Rego parser, module level: package, imports, rules (v0 and v1 syntax), and queries. */
import type { Expr, Import, Module, Rule, Term } from './ast.js';
import { RegoError, regoError } from './errors.js';
import { tokenize } from './lexer.js';
import { applyMetadata } from './metadata.js';
import { ExprParser } from './parser-expr.js';

class ModuleParser extends ExprParser {
  private v1 = false;
  /** Read every module as Rego v1 (OPA 1.x's default); otherwise only modules importing rego.v1/v2. */
  forceV1 = false;
  /** The rule being parsed wrote `if` (v1 syntax: `p[x] if ...` is then a single-value rule). */
  private usedIf = false;

  parseModule(): Module {
    if (!this.isIdent('package')) this.fail('package expected');
    const pkgTok = this.next();
    const pkg = this.parseTerm();
    const path = groundPath(pkg);
    if (!path) this.fail('invalid package path', pkgTok);
    const imports: Import[] = [];
    while (this.isIdent('import')) imports.push(this.parseImport());
    this.v1 = this.forceV1 || imports.some((i) => ['rego.v1', 'rego.v2'].includes(importText(i)));
    this.notBlocks = imports.some((i) => ['future.keywords', 'future.keywords.not', 'rego.v2'].includes(importText(i)));
    const module: Module = { file: this.file, package: path, packageLoc: this.loc(pkgTok), imports, rules: [], v1: this.v1 };
    while (this.peek().kind !== 'eof') {
      // OPA accepts imports after rules; they apply to the whole module
      if (this.isIdent('import')) {
        imports.push(this.parseImport());
        continue;
      }
      const rules = this.parseRule();
      for (const r of rules) r.module = module;
      module.rules.push(...rules);
    }
    return module;
  }

  private parseImport(): Import {
    const kw = this.next();
    const path = this.parseTerm();
    let alias: string | undefined;
    if (this.isIdent('as') && !this.peek().nl) {
      this.next();
      const a = this.next();
      if (a.kind !== 'ident') this.fail('expected alias name after as', a);
      alias = a.text;
    }
    return { path, alias, loc: this.loc(kw) };
  }

  /** One rule statement (several Rule values for v0 multi-body rules). */
  private parseRule(): Rule[] {
    const start = this.peek();
    if (start.kind !== 'ident') this.fail(`unexpected ${JSON.stringify(start.text)} token: expected rule`);
    if (this.isIdent('default')) return [this.parseDefault()];
    let head = this.parseTerm();
    if (head.type !== 'call' && this.isOp('(') && !this.peek().nl) head = this.parseCall(head);
    const loc = this.loc(start);
    let ref: Term[];
    let args: Term[] | undefined;
    if (head.type === 'call') {
      ref = headRef(head.opRef, this);
      args = head.args;
    } else ref = headRef(head, this);
    const rule: Rule = { ref, kind: args ? 'function' : 'complete', body: [], isDefault: false, assign: false, elses: [], loc, hasBody: false };
    this.usedIf = false;
    if (args) rule.args = args;
    if (this.isIdent('contains') && !this.peek().nl) {
      this.next();
      rule.kind = 'multi';
      rule.key = this.parseInfix(false);
    } else if ((this.isOp('=') || this.isOp(':=')) && !this.peek().nl) {
      rule.assign = this.next().text === ':=';
      rule.value = this.parseInfix(false);
    }
    const hasBody = this.parseRuleBody(rule);
    this.classify(rule, hasBody, start);
    const rules = [rule];
    if (rule.kind === 'complete' || rule.kind === 'function') this.parseElses(rule);
    // v0: several bodies for one head: `p { a } { b }`
    while (this.isOp('{') && !this.v1) {
      const extra: Rule = { ...rule, body: [], elses: [] };
      this.parseRuleBody(extra);
      rules.push(extra);
    }
    return rules;
  }

  /** Parse `if <body>` / `{ body }`; returns whether a body was present. */
  private parseRuleBody(rule: Rule): boolean {
    const t = this.peek();
    if (this.isIdent('if')) {
      this.next();
      this.usedIf = true;
      const compr = this.isOp('{') ? this.tryComprehensionBody() : undefined;
      if (compr) rule.body = [compr];
      else if (this.isOp('{')) rule.body = this.parseBraceBody();
      else rule.body = [this.parseLiteral()];
      rule.hasBody = true;
      return true;
    }
    if (this.isOp('{')) {
      if (this.v1) this.fail('`if` keyword is required before rule body', t);
      rule.body = this.parseBraceBody();
      rule.hasBody = true;
      return true;
    }
    return false;
  }

  /** `if { x | body }`: a rule body that is a single set/object comprehension term. */
  private tryComprehensionBody(): Expr | undefined {
    const saved = { pos: this.pos, depth: this.depth, nesting: this.nesting };
    const start = this.peek();
    try {
      const t = this.parseBrace(this.loc(start));
      const next = this.peek();
      if ((t.type === 'setcompr' || t.type === 'objectcompr') && (next.nl || next.kind === 'eof' || (next.kind === 'ident' && next.text === 'else'))) {
        return { kind: 'term', term: t, negated: false, with: [], loc: t.loc, text: this.src.slice(start.offset, this.lastEnd()) };
      }
    } catch (e) {
      if (!(e instanceof RegoError)) throw e;
    }
    Object.assign(this, saved);
    return undefined;
  }

  private parseBraceBody(): Expr[] {
    const open = this.expectOp('{');
    const body = this.parseQuery(['}']);
    this.expectOp('}');
    if (body.length === 0) this.fail('rule body must not be empty', open);
    return body;
  }

  /** Decide v0 partial-set forms and v1 requirements. */
  private classify(rule: Rule, hasBody: boolean, start: ReturnType<ExprParser['peek']>): void {
    if (rule.kind !== 'complete' || rule.value !== undefined) return;
    const last = rule.ref[rule.ref.length - 1]!;
    // OPA 1.x parses every module as v1, where `p[x] if { ... }` defines p[x] = true (an object);
    // only the v0 form without `if`, `p[x] { ... }`, stays a partial set here.
    if (this.v1 || this.usedIf) {
      if (!hasBody) {
        if (rule.ref.length === 2) this.fail('`contains` keyword is required for partial set rules', start);
        this.fail(rule.ref.length > 2 ? 'rule must have a body or assignment' : 'rule must have a body', start);
      }
      return;
    }
    if (rule.ref.length === 2) {
      rule.kind = 'multi';
      rule.key = last;
      rule.ref = rule.ref.slice(0, 1);
      return;
    }
    if (!hasBody) this.fail('rule must have a body', start);
  }

  private parseElses(rule: Rule): void {
    while (this.isIdent('else')) {
      const kw = this.next();
      const e: Rule = { ref: rule.ref, kind: rule.kind, body: [], isDefault: false, assign: rule.assign, elses: [], loc: this.loc(kw), hasBody: false };
      if (rule.args) e.args = rule.args;
      if (this.isOp('=') || this.isOp(':=')) {
        this.next();
        e.value = this.parseInfix(false);
      }
      if (!this.parseRuleBody(e)) e.body = [];
      rule.elses.push(e);
    }
  }

  private parseDefault(): Rule {
    const kw = this.next();
    const head = this.parseTerm();
    let ref: Term[];
    let args: Term[] | undefined;
    if (head.type === 'call') {
      ref = headRef(head.opRef, this);
      args = head.args;
    } else ref = headRef(head, this);
    if (!this.isOp('=') && !this.isOp(':=')) this.fail('default rules must use = or :=', kw);
    const assign = this.next().text === ':=';
    const value = this.parseInfix(false);
    checkDefaultValue(value, this);
    const rule: Rule = { ref, kind: args ? 'function' : 'complete', value, body: [], isDefault: true, assign, elses: [], loc: this.loc(kw), hasBody: false };
    if (args) rule.args = args;
    return rule;
  }

  /** Parse a whole query (for evaluate). */
  parseQueryText(): Expr[] {
    const body = this.parseQuery([]);
    if (this.peek().kind !== 'eof') this.fail('expecting EOF');
    if (body.length === 0) this.fail('empty query');
    return body;
  }

  failAt(msg: string, t: Term): never {
    throw regoError('rego_parse_error', msg, t.loc);
  }
}

/** Default values must be constant: no vars, refs or calls. */
function checkDefaultValue(t: Term, p: ModuleParser): void {
  switch (t.type) {
    case 'scalar':
      return;
    case 'var':
      p.failAt('invalid `var` in default value', t);
      return;
    case 'ref':
      p.failAt('invalid `ref` in default value', t);
      return;
    case 'call':
      p.failAt(`invalid \`${callKind(t.op)}\` in default value`, t);
      return;
    case 'array':
    case 'set':
      for (const i of t.items) checkDefaultValue(i, p);
      return;
    case 'object':
      for (const [k, v] of t.items) {
        checkDefaultValue(k, p);
        checkDefaultValue(v, p);
      }
      return;
    default:
      return; // comprehensions are allowed
  }
}

function callKind(op: string): string {
  if (['plus', 'minus', 'mul', 'div', 'rem'].includes(op)) return 'arithexpr';
  if (['equal', 'neq', 'lt', 'lte', 'gt', 'gte'].includes(op)) return 'boolexpr';
  if (['and', 'or'].includes(op)) return 'binexpr';
  return 'call';
}

/** Rule head term → ref elements [name, ...path]. */
function headRef(t: Term, p: ModuleParser): Term[] {
  if (t.type === 'var') return [{ type: 'scalar', value: t.name, loc: t.loc }];
  if (t.type === 'ref' && t.head.type === 'var') return [{ type: 'scalar', value: t.head.name, loc: t.head.loc }, ...t.path];
  return p.failAt('invalid rule head', t);
}

function groundPath(t: Term): string[] | undefined {
  if (t.type === 'var') return [t.name];
  if (t.type !== 'ref' || t.head.type !== 'var') return undefined;
  const out = [t.head.name];
  for (const e of t.path) {
    if (e.type !== 'scalar' || typeof e.value !== 'string') return undefined;
    out.push(e.value);
  }
  return out;
}

/** Dotted text of an import path. */
export function importText(i: Import): string {
  return groundPath(i.path)?.join('.') ?? '?';
}
export { groundPath };

/**
 * Parse one module; throws RegoError. `v1`: read it as Rego v1 even without `import rego.v1` (OPA
 * 1.x's default); otherwise such a module is read v0-compatibly (as `opa --v0-compatible`).
 */
export function parseModuleText(text: string, file: string, opts: { v1?: boolean } = {}): Module {
  try {
    const p = new ModuleParser(tokenize(text, file), file, text);
    p.forceV1 = opts.v1 === true;
    const m = p.parseModule();
    applyMetadata(m, text);
    return m;
  } catch (e) {
    throw wrapParse(e, file);
  }
}

/** Parse a query (body); throws RegoError. */
export function parseQueryText(text: string, file = 'query'): Expr[] {
  try {
    const p = new ModuleParser(tokenize(text, file), file, text);
    return p.parseQueryText();
  } catch (e) {
    throw wrapParse(e, file);
  }
}

function wrapParse(e: unknown, file: string): unknown {
  if (e instanceof RegoError) return e;
  if (e instanceof RangeError) {
    return regoError('rego_parse_error', `input too deeply nested or too large: ${e.message}`, { file, row: 1, col: 1 });
  }
  return e;
}
