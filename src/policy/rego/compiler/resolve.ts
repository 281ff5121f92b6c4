/**
 * Name resolution: local variable scopes (`some`, `:=`, function args, every, comprehensions),
 * declaration checks, and rewriting of rule names / import aliases / function names into refs.
 */
import type { Expr, Rule, Term, TermOf, With } from '../ast.js';
import { lookupBuiltin } from '../builtins/registry.js';
import type { Location, RegoErrorItem } from '../errors.js';
import { checkMatch, checkSomeIn } from './match.js';
import { checkConstantCall } from './typecheck.js';
import { collectExprNames, collectNames, patternDeclVars, ROOTS } from './vars.js';

/** What a module's bodies can name: package rules and import aliases. */
export interface NameEnv {
  pkg: string[];
  ruleNames: Set<string>;
  imports: Map<string, string[]>;
  v1: boolean;
  /** Full paths (dotted) of user functions → arity. */
  functions: Map<string, number>;
  errors: RegoErrorItem[];
}

class Scope {
  readonly declared = new Map<string, string>();
  readonly seen = new Set<string>();
  readonly captured = new Set<string>();
  allNames = new Set<string>();
  constructor(
    readonly parent: Scope | undefined,
    readonly fresh: () => number,
  ) {}

  /** Internal name of an outer-scope var, recording the capture; undefined when local. */
  lookupOuter(name: string): string | undefined {
    const chain: Scope[] = [];
    for (let s = this.parent; s; s = s.parent) {
      chain.push(s);
      const found = s.declared.get(name) ?? (s.allNames.has(name) || s.seen.has(name) ? name : undefined);
      if (found !== undefined) {
        this.captured.add(found);
        for (const c of chain.slice(0, -1)) c.captured.add(found);
        return found;
      }
    }
    return undefined;
  }
}

export class Resolver {
  private counter = 0;
  constructor(private readonly env: NameEnv) {}

  private err(code: string, message: string, location: Location): void {
    this.env.errors.push({ code, message, location });
  }
  private newScope(parent?: Scope): Scope {
    return new Scope(parent, () => ++this.counter);
  }

  /** Resolve a rule (and its else chain) in place. */
  resolveRule(rule: Rule): void {
    const scope = this.newScope();
    if (rule.args) {
      for (const a of rule.args) for (const v of patternDeclVars(a)) if (!v.generated) scope.declared.set(v.name, v.name);
      rule.args = rule.args.map((a) => this.term(a, scope));
    }
    if (rule.ref.length > 1) {
      for (const t of rule.ref.slice(1)) collectNames(t, scope.allNames);
    }
    if (rule.key) collectNames(rule.key, scope.allNames);
    if (rule.value) collectNames(rule.value, scope.allNames);
    rule.body = this.body(rule.body, scope);
    rule.ref = [rule.ref[0]!, ...rule.ref.slice(1).map((t) => this.term(t, scope))];
    if (rule.key) rule.key = this.hoist(this.term(rule.key, scope), rule.body);
    if (rule.value) rule.value = this.hoist(this.term(rule.value, scope), rule.body);
    for (const e of rule.elses) {
      e.args = rule.args;
      const es = this.newScope();
      for (const a of rule.args ?? []) for (const v of patternDeclVars(a)) if (!v.generated) es.declared.set(v.name, v.name);
      if (e.value) collectNames(e.value, es.allNames);
      e.body = this.body(e.body, es);
      if (e.value) e.value = this.hoist(this.term(e.value, es), e.body);
    }
  }

  /** Resolve a query body (top-level names kept for bindings). */
  resolveQuery(body: Expr[]): Expr[] {
    return this.body(body, this.newScope());
  }

  private body(exprs: Expr[], scope: Scope): Expr[] {
    for (const e of exprs) collectExprNames(e, scope.allNames);
    return exprs.map((e) => this.expr(e, scope));
  }

  private declare(v: TermOf<'var'>, scope: Scope, how: 'assign' | 'some'): TermOf<'var'> {
    if (v.generated) return v;
    if (ROOTS.has(v.name) && this.env.v1) {
      this.err('rego_compile_error', `variables must not shadow ${v.name} (use a different variable name)`, v.loc);
      return v;
    }
    if (scope.declared.has(v.name)) {
      this.err('rego_compile_error', `var ${v.name} assigned above`, v.loc);
    } else if (scope.seen.has(v.name)) {
      this.err('rego_compile_error', `var ${v.name} referenced above`, v.loc);
    }
    const internal = scope.parent || ROOTS.has(v.name) ? `${v.name}$${this.counter++}` : v.name;
    scope.declared.set(v.name, internal);
    void how;
    return { ...v, name: internal };
  }

  private declarePattern(t: Term, scope: Scope, how: 'assign' | 'some'): Term {
    for (const v of patternDeclVars(t)) this.declare(v, scope, how);
    return this.term(t, scope);
  }

  private expr(e: Expr, scope: Scope): Expr {
    const withs = e.with.map((w) => this.withMod(w, scope));
    const base = { negated: e.negated, with: withs, loc: e.loc, text: e.text };
    switch (e.kind) {
      case 'term':
        return { ...base, kind: 'term', term: e.term.type === 'call' ? this.callTerm(e.term, scope, true) : this.term(e.term, scope) };
      case 'unify':
        checkMatch(e.lhs, e.rhs, this.env.errors);
        return { ...base, kind: 'unify', lhs: this.term(e.lhs, scope), rhs: this.term(e.rhs, scope) };
      case 'assign': {
        checkMatch(e.lhs, e.rhs, this.env.errors);
        const rhs = this.term(e.rhs, scope);
        if (patternDeclVars(e.lhs).filter((v) => !v.generated).length === 0 && e.lhs.type !== 'var') {
          this.err('rego_compile_error', 'assignment operator := requires left-hand side to have bindable variables', e.loc);
        }
        checkAssignPattern(e.lhs, this.env);
        return { ...base, kind: 'assign', lhs: this.declarePattern(e.lhs, scope, 'assign'), rhs };
      }
      case 'some':
        return { ...base, kind: 'some', vars: e.vars.map((v) => this.declare(v, scope, 'some')) };
      case 'somein': {
        checkSomeIn(e.value, e.coll, this.env.errors);
        const coll = this.term(e.coll, scope);
        const key = e.key ? this.declarePattern(e.key, scope, 'some') : undefined;
        const value = this.declarePattern(e.value, scope, 'some');
        return key ? { ...base, kind: 'somein', key, value, coll } : { ...base, kind: 'somein', value, coll };
      }
      case 'every': {
        const domain = this.term(e.domain, scope);
        const inner = this.newScope(scope);
        const key = e.key ? this.declarePattern(e.key, inner, 'some') : undefined;
        const value = this.declarePattern(e.value, inner, 'some');
        const body = this.body(e.body, inner);
        const out: Expr = { ...base, kind: 'every', value, domain, body, captured: [...inner.captured] };
        if (key) (out as { key?: Term }).key = key;
        return out;
      }
    }
  }

  private withMod(w: With, scope: Scope): With {
    const value = this.functionValue(w.value, scope) ?? this.term(w.value, scope);
    const t = w.target;
    const parts = dotted(t);
    const imp = parts ? this.env.imports.get(parts[0]!) : undefined;
    const full = parts && imp ? [...imp, ...parts.slice(1)] : parts;
    if (full && (full[0] === 'data' || full[0] === 'input')) {
      const name = full.join('.');
      if (this.env.functions.has(name)) return { ...w, target: { type: 'var', name, loc: t.loc }, value };
      return { ...w, target: mkRef(full, t.loc), value };
    }
    if (!parts) {
      const head = t.type === 'ref' ? t.head : t;
      if (head.type === 'var' && ROOTS.has(head.name)) return { ...w, target: this.term(t, scope), value };
    }
    const name = this.funcName(t);
    if (name !== undefined) return { ...w, target: { type: 'var', name, loc: t.loc }, value };
    this.err('rego_compile_error', 'with keyword target must reference existing input, data, or a function', w.loc);
    return { ...w, value };
  }

  /** A `with` value naming a builtin or user function (not a local variable): that function. */
  private functionValue(t: Term, scope: Scope): Term | undefined {
    const first = dotted(t)?.[0];
    if (first === undefined) return undefined;
    for (let s: Scope | undefined = scope; s; s = s.parent) if (s.declared.has(first)) return undefined;
    const name = this.funcName(t);
    if (name === undefined || !(this.env.functions.has(name) || lookupBuiltin(name))) return undefined;
    return { type: 'var', name, loc: t.loc, fn: true };
  }

  /** Resolve the dotted name of a function reference. */
  private funcName(t: Term): string | undefined {
    const parts = dotted(t);
    if (!parts) return undefined;
    const [first, ...rest] = parts;
    const imp = this.env.imports.get(first!);
    let full: string;
    if (first === 'data') full = parts.join('.');
    else if (imp && imp[0] === 'data') full = [...imp, ...rest].join('.');
    else if (this.env.ruleNames.has(first!)) full = ['data', ...this.env.pkg, ...parts].join('.');
    else full = parts.join('.');
    if (this.env.functions.has(full) || lookupBuiltin(full) || full.startsWith('data.')) return full;
    return undefined;
  }

  term(t: Term, scope: Scope): Term {
    switch (t.type) {
      case 'scalar':
        return t;
      case 'var':
        return this.varTerm(t, scope);
      case 'ref': {
        const head = this.term(t.head, scope);
        const path = t.path.map((p) => this.term(p, scope));
        if (head.type === 'ref') return { ...t, head: head.head, path: [...head.path, ...path] };
        return { ...t, head, path };
      }
      case 'array':
        return { ...t, items: t.items.map((i) => this.term(i, scope)) };
      case 'set':
        return { ...t, items: t.items.map((i) => this.term(i, scope)) };
      case 'object':
        return { ...t, items: t.items.map(([k, v]) => [this.term(k, scope), this.term(v, scope)] as [Term, Term]) };
      case 'call':
        return this.callTerm(t, scope);
      default:
        return this.compr(t, scope);
    }
  }

  private varTerm(t: TermOf<'var'>, scope: Scope): Term {
    if (t.generated) return t;
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const d = s.declared.get(t.name);
      if (d !== undefined) {
        if (s !== scope) scope.lookupOuter(t.name);
        return { ...t, name: d };
      }
    }
    if (ROOTS.has(t.name)) return t;
    const imp = this.env.imports.get(t.name);
    if (imp) return mkRef(imp, t.loc);
    if (this.env.ruleNames.has(t.name)) return mkRef(['data', ...this.env.pkg, t.name], t.loc);
    const outer = scope.lookupOuter(t.name);
    if (outer !== undefined) return { ...t, name: outer };
    scope.seen.add(t.name);
    return t;
  }

  private callTerm(t: TermOf<'call'>, scope: Scope, topLevel = false): Term {
    const args = t.args.map((a) => this.term(a, scope));
    const name = t.operator ? t.op : (this.funcName(t.opRef) ?? t.op);
    const arity = this.env.functions.get(name) ?? lookupBuiltin(name)?.arity;
    if (arity === undefined) {
      if (!name.startsWith('data.') || !this.env.functions.has(name)) {
        this.err('rego_type_error', `undefined function ${t.op}`, t.loc);
      }
    } else if (arity >= 0 && args.length !== arity && !(topLevel && args.length === arity + 1)) {
      this.err('rego_type_error', `${t.op}: arity mismatch: have ${args.length} argument${args.length === 1 ? '' : 's'}, want ${arity}`, t.loc);
    } else if (!this.env.functions.has(name)) checkConstantCall(name, args, t.loc, this.env.errors);
    return { ...t, op: name, args };
  }

  private compr(t: Extract<Term, { type: 'arraycompr' | 'setcompr' | 'objectcompr' }>, scope: Scope): Term {
    const inner = this.newScope(scope);
    if (t.type === 'objectcompr') {
      collectNames(t.key, inner.allNames);
      collectNames(t.value, inner.allNames);
    } else collectNames(t.term, inner.allNames);
    const body = this.body(t.body, inner);
    let out: Term;
    if (t.type === 'objectcompr') {
      out = { ...t, body, key: this.hoist(this.term(t.key, inner), body), value: this.hoist(this.term(t.value, inner), body) };
    } else out = { ...t, body, term: this.hoist(this.term(t.term, inner), body) };
    (out as { captured?: string[] }).captured = [...inner.captured];
    return out;
  }

  /** Head terms that iterate (refs with variable paths) move into the body as `$h = term` (OPA does the same). */
  private hoist(t: Term, body: Expr[]): Term {
    if (t.type !== 'ref' || t.path.every((p) => p.type === 'scalar')) return t;
    const v: TermOf<'var'> = { type: 'var', name: `$h${this.counter++}`, loc: t.loc, generated: true };
    body.push({ kind: 'unify', lhs: v, rhs: t, negated: false, with: [], loc: t.loc });
    return v;
  }
}

/** Compile-time match errors for `:=` / `=` between literal patterns. */
function checkAssignPattern(lhs: Term, env: NameEnv): void {
  if (lhs.type === 'scalar' || lhs.type === 'call' || lhs.type === 'ref') {
    env.errors.push({ code: 'rego_compile_error', message: `cannot assign to ${lhs.type}`, location: lhs.loc });
  }
}

export function mkRef(path: string[], loc: Location): Term {
  const [head, ...rest] = path;
  if (rest.length === 0) return { type: 'var', name: head!, loc };
  return { type: 'ref', head: { type: 'var', name: head!, loc }, path: rest.map((p) => ({ type: 'scalar', value: p, loc })), loc };
}

/** Dotted segments of a var or ground string ref. */
export function dotted(t: Term): string[] | undefined {
  if (t.type === 'var') return [t.name];
  if (t.type !== 'ref' || t.head.type !== 'var') return undefined;
  const out = [t.head.name];
  for (const p of t.path) {
    if (p.type !== 'scalar' || typeof p.value !== 'string') return undefined;
    out.push(p.value);
  }
  return out;
}
