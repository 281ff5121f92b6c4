/**
 * Safety: reorder body expressions so every variable is bound before it is read (OPA's
 * reordering: the first schedulable expression goes next), and report unsafe variables.
 */
import type { Expr, Rule, Term } from '../ast.js';
import type { RegoErrorItem } from '../errors.js';
import { hoistNegated } from './negation.js';
import { collectRoles, exprVars, isSubset, newRoles, termVars, type VarRoles } from './vars.js';

export type ArityOf = (op: string) => number | undefined;

export class Safety {
  private hoisted = 0;
  constructor(
    private readonly arityOf: ArityOf,
    private readonly errors: RegoErrorItem[],
  ) {}

  /** Reorder a rule's bodies in place and check head safety. */
  checkRule(rule: Rule): void {
    for (const r of [rule, ...rule.elses]) {
      const safe = new Set<string>();
      for (const a of rule.args ?? []) for (const v of termVars(a)) safe.add(v);
      r.body = this.reorder(r.body, safe);
      const head: Term[] = [...rule.ref.slice(1)];
      if (r.key) head.push(r.key);
      if (r.value) head.push(r.value);
      for (const t of head) this.checkTermSafe(t, safe, r.loc);
    }
  }

  /** Terms outside bodies (rule heads) must only use safe vars; nested comprehensions reordered. */
  private checkTermSafe(t: Term, safe: Set<string>, loc: Expr['loc']): void {
    const unsafe = [...termVars(t)].filter((v) => !safe.has(v));
    for (const v of unsafe) this.unsafe(v, t.loc ?? loc);
    this.nestedInTerm(t, safe);
  }

  private unsafe(name: string, loc: Expr['loc']): void {
    const shown = name.startsWith('$') ? '_' : name.replace(/\$\d+$/, '');
    if (this.errors.some((e) => e.message === `var ${shown} is unsafe` && e.location?.row === loc.row)) return;
    this.errors.push({ code: 'rego_unsafe_var_error', message: `var ${shown} is unsafe`, location: loc });
  }

  /** Reorder `body` given the vars already bound; `safe` is extended with the body's bindings. */
  reorder(body: Expr[], safe: Set<string>): Expr[] {
    const pending = [...body];
    const out: Expr[] = [];
    while (pending.length > 0) {
      let idx = pending.findIndex((e) => this.schedulable(e, safe));
      if (idx < 0 && this.expandCallRefs(pending, safe)) idx = pending.findIndex((e) => this.schedulable(e, safe));
      if (idx < 0) {
        this.reportStuck(pending, safe);
        return [...out, ...pending];
      }
      const [picked] = pending.splice(idx, 1) as [Expr];
      for (const e of hoistNegated(picked, safe, this.arityOf, () => `$h${this.hoisted++}`)) {
        this.nested(e, safe);
        if (!e.negated) for (const v of exprVars(e)) safe.add(v);
        out.push(e);
      }
    }
    return out;
  }

  /**
   * OPA evaluates refs in call arguments before the call, so a ref can bind the vars the call reads
   * (`foo == input.foos[foo]`). When nothing is schedulable, move call arguments that are refs with
   * unbound path vars into `$h = ref` expressions before their call; true when something moved.
   */
  private expandCallRefs(pending: Expr[], safe: Set<string>): boolean {
    let changed = false;
    for (let i = 0; i < pending.length; i++) {
      const e = pending[i]!;
      if (e.negated || e.kind !== 'term' || e.term.type !== 'call') continue;
      const call = e.term;
      const arity = this.arityOf(call.op);
      const moved: Expr[] = [];
      const args = call.args.map((a, j) => {
        if (a.type !== 'ref' || (arity !== undefined && j >= arity)) return a;
        const iter = newRoles();
        for (const p of a.path) collectRoles(p, iter, 'iter');
        if ([...iter.iter].every((v) => safe.has(v))) return a;
        const v: Term = { type: 'var', name: `$h${this.hoisted++}`, loc: a.loc, generated: true };
        moved.push({ kind: 'unify', lhs: v, rhs: a, negated: false, with: e.with, loc: a.loc });
        return v;
      });
      if (moved.length === 0) continue;
      pending.splice(i, 1, ...moved, { ...e, term: { ...call, args } });
      i += moved.length;
      changed = true;
    }
    return changed;
  }

  /**
   * Report the root causes of a body that cannot be ordered, each var once (as OPA): vars some
   * expression needs as input that no stuck expression could bind; else every needed var (they wait
   * on each other); else every unbound var (unifications of unbound vars only). The stuck vars then count as safe so the rule head does not repeat them.
   */
  private reportStuck(pending: Expr[], safe: Set<string>): void {
    const needed = new Map<string, Expr>();
    const bindable = new Set<string>();
    for (const e of pending) {
      const inputs = this.inputVars(e);
      for (const v of inputs) if (!safe.has(v) && !needed.has(v)) needed.set(v, e);
      for (const v of exprVars(e)) if (!inputs.has(v)) bindable.add(v);
    }
    let roots = [...needed].filter(([v]) => !bindable.has(v));
    if (roots.length === 0) roots = [...needed];
    if (roots.length === 0) {
      const all = new Map<string, Expr>();
      for (const e of pending) for (const v of exprVars(e)) if (!safe.has(v) && !all.has(v)) all.set(v, e);
      roots = [...all];
    }
    for (const [v, e] of roots) this.unsafe(v, e.loc);
    for (const e of pending) for (const v of exprVars(e)) safe.add(v);
  }

  /** Vars an expression reads, which must be bound before it can run (its schedulability inputs). */
  private inputVars(e: Expr): Set<string> {
    const r = newRoles();
    for (const w of e.with) collectRoles(w.value, r, 'input');
    if (e.negated) return exprVars(e);
    switch (e.kind) {
      case 'term':
        if (e.term.type === 'call') {
          const arity = this.arityOf(e.term.op);
          for (const [i, a] of e.term.args.entries()) collectRoles(a, r, arity !== undefined && i === arity ? 'pattern' : 'input');
        } else collectRoles(e.term, r, 'input');
        break;
      case 'unify':
      case 'assign':
        collectRoles(e.lhs, r, 'pattern');
        collectRoles(e.rhs, r, e.kind === 'assign' ? 'input' : 'pattern');
        break;
      case 'somein':
        if (e.key) collectRoles(e.key, r, 'pattern');
        collectRoles(e.value, r, 'pattern');
        collectRoles(e.coll, r, 'input');
        break;
      case 'every':
        collectRoles(e.domain, r, 'input');
        for (const c of e.captured ?? []) r.input.add(c);
        break;
      case 'some':
        break;
    }
    return r.input;
  }

  private roles(t: Term, role: 'pattern' | 'input'): VarRoles {
    const r = newRoles();
    collectRoles(t, r, role);
    return r;
  }

  private schedulable(e: Expr, safe: Set<string>): boolean {
    for (const w of e.with) if (!isSubset(termVars(w.value), safe)) return false;
    if (e.negated) {
      return [...exprVars(e)].every((v) => safe.has(v) || v.startsWith('$'));
    }
    switch (e.kind) {
      case 'some':
        return true;
      case 'term':
        return this.termExprOk(e.term, safe);
      case 'unify':
        return this.unifyOk(e.lhs, e.rhs, safe);
      case 'assign': {
        const r = this.roles(e.rhs, 'input');
        return isSubset(r.input, safe) && isSubset(this.roles(e.lhs, 'pattern').input, safe);
      }
      case 'somein': {
        const r = this.roles(e.coll, 'input');
        const p = newRoles();
        if (e.key) collectRoles(e.key, p, 'pattern');
        collectRoles(e.value, p, 'pattern');
        return isSubset(r.input, safe) && isSubset(p.input, safe);
      }
      case 'every':
        return isSubset(this.roles(e.domain, 'input').input, safe) && isSubset(e.captured ?? [], safe);
    }
  }

  private termExprOk(t: Term, safe: Set<string>): boolean {
    if (t.type === 'call') {
      const arity = this.arityOf(t.op);
      const r = newRoles();
      for (const [i, a] of t.args.entries()) collectRoles(a, r, arity !== undefined && i === arity ? 'pattern' : 'input');
      return isSubset(r.input, safe);
    }
    return isSubset(this.roles(t, 'input').input, safe);
  }

  /** One side evaluable and the other a pattern over safe inputs; arrays pairwise. */
  private unifyOk(a: Term, b: Term, safe: Set<string>): boolean {
    if ((a.type === 'array' && b.type === 'array' && a.items.length === b.items.length) || (a.type === 'object' && b.type === 'object')) {
      const pairs = pairsOf(a, b);
      if (pairs) {
        const s = new Set(safe);
        const left = [...pairs];
        while (left.length > 0) {
          const i = left.findIndex(([x, y]) => this.unifyOk(x, y, s));
          if (i < 0) return false;
          const [[x, y]] = left.splice(i, 1) as [[Term, Term]];
          for (const v of termVars(x)) s.add(v);
          for (const v of termVars(y)) s.add(v);
        }
        return true;
      }
    }
    const ra = this.roles(a, 'pattern');
    const rb = this.roles(b, 'pattern');
    const evalA = isSubset(ra.input, safe) && isSubset(ra.pattern, safe);
    const evalB = isSubset(rb.input, safe) && isSubset(rb.pattern, safe);
    return (evalA && isSubset(rb.input, safe)) || (evalB && isSubset(ra.input, safe));
  }

  // ---------- nested bodies ----------
  private nested(e: Expr, safe: Set<string>): void {
    const s = new Set(safe);
    switch (e.kind) {
      case 'term':
        this.nestedInTerm(e.term, s);
        break;
      case 'unify':
      case 'assign':
        this.nestedInTerm(e.lhs, s);
        this.nestedInTerm(e.rhs, s);
        break;
      case 'somein':
        this.nestedInTerm(e.coll, s);
        break;
      case 'every': {
        this.nestedInTerm(e.domain, s);
        const inner = new Set(safe);
        if (e.key) for (const v of termVars(e.key)) inner.add(v);
        for (const v of termVars(e.value)) inner.add(v);
        e.body = this.reorder(e.body, inner);
        break;
      }
      case 'some':
        break;
    }
    for (const w of e.with) this.nestedInTerm(w.value, s);
  }

  /** Reorder comprehension bodies inside a term and check their heads. */
  nestedInTerm(t: Term, safe: Set<string>): void {
    switch (t.type) {
      case 'ref':
        this.nestedInTerm(t.head, safe);
        for (const p of t.path) this.nestedInTerm(p, safe);
        return;
      case 'array':
      case 'set':
        for (const i of t.items) this.nestedInTerm(i, safe);
        return;
      case 'object':
        for (const [k, v] of t.items) {
          this.nestedInTerm(k, safe);
          this.nestedInTerm(v, safe);
        }
        return;
      case 'call':
        for (const a of t.args) this.nestedInTerm(a, safe);
        return;
      case 'arraycompr':
      case 'setcompr':
      case 'objectcompr': {
        const inner = new Set(safe);
        t.body = this.reorder(t.body, inner);
        const heads = t.type === 'objectcompr' ? [t.key, t.value] : [t.term];
        for (const h of heads) this.checkTermSafe(h, inner, t.loc);
        return;
      }
      default:
        return;
    }
  }
}

/** Element pairs of two array literals, or of two object literals with the same scalar keys. */
function pairsOf(a: Term, b: Term): Array<[Term, Term]> | undefined {
  if (a.type === 'array' && b.type === 'array') return a.items.map((x, i) => [x, b.items[i]!]);
  if (a.type === 'object' && b.type === 'object' && a.items.length === b.items.length) {
    const out: Array<[Term, Term]> = [];
    for (const [k, v] of a.items) {
      if (k.type !== 'scalar') return undefined;
      const m = b.items.find(([k2]) => k2.type === 'scalar' && k2.value === k.value);
      if (!m) return undefined;
      out.push([v, m[1]]);
    }
    return out;
  }
  return undefined;
}
