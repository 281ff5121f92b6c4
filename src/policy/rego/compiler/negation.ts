/**
 * OPA evaluates the dynamic parts of a negated expression before the negation: `not f(input.x)`
 * is `$h = input.x; not f($h)`, so an undefined argument makes the whole expression undefined
 * instead of true. A bare ref (`not input.x`) and the direct operands of `==` stay inside, as OPA
 * leaves them. Only terms whose vars are already bound are moved (wildcards stay inside).
 */
import type { Expr, Term } from '../ast.js';
import { termVars } from './vars.js';

export type ArityOf = (op: string) => number | undefined;

/** Prelude expressions to run before the negated `e`, and `e` rewritten to use their vars. */
export function hoistNegated(e: Expr, safe: Set<string>, arityOf: ArityOf, fresh: () => string): Expr[] {
  if (!e.negated || e.kind !== 'term') return [e];
  const prelude: Expr[] = [];
  const movable = (t: Term): boolean => [...termVars(t)].every((v) => safe.has(v));
  const bind = (t: Term): Term => {
    const name = fresh();
    const lhs: Term = { type: 'var', name, loc: t.loc, generated: true };
    prelude.push({ kind: 'unify', lhs, rhs: t, negated: false, with: e.with, loc: t.loc });
    return lhs;
  };
  /** Rewrite the parts of `t` and move `t` itself out (OPA's rewriteDynamicsOne). */
  const one = (t: Term): Term => {
    if (!movable(t)) return t;
    switch (t.type) {
      case 'ref':
        return bind(inside(t));
      case 'call':
        return arityOf(t.op) !== undefined && t.args.length > arityOf(t.op)! ? t : bind(inside(t));
      case 'arraycompr':
      case 'setcompr':
      case 'objectcompr':
        return bind(t);
      default:
        return inside(t);
    }
  };
  /** Rewrite only the parts of `t` (refs' dynamic elements, composite items, call args). */
  const inside = (t: Term): Term => {
    switch (t.type) {
      case 'ref':
        return { ...t, head: t.head.type === 'var' ? t.head : inside(t.head), path: t.path.map((p) => (p.type === 'scalar' ? p : one(p))) };
      case 'array':
      case 'set':
        return { ...t, items: t.items.map(one) };
      case 'object':
        return { ...t, items: t.items.map(([k, v]) => [one(k), one(v)] as [Term, Term]) };
      case 'call':
        if (t.op === 'equal') return { ...t, args: t.args.map(inside) };
        return { ...t, args: t.args.map(one) };
      default:
        return t;
    }
  };
  const term = inside(e.term);
  if (prelude.length === 0) return [e];
  return [...prelude, { ...e, term }];
}
