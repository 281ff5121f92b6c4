/** Variable analysis over terms and expressions (used by safety and reordering). */
import type { Expr, Term } from '../ast.js';

/** Root document names: never local variables. */
export const ROOTS = new Set(['data', 'input']);

/**
 * Vars of a term, split by role:
 * - pattern: can be bound by unification (bare vars, array items, object values);
 * - iter: ref path positions (bound by iterating the collection);
 * - input: everything else (call args, ref heads, captured vars of comprehensions).
 */
export interface VarRoles {
  pattern: Set<string>;
  iter: Set<string>;
  input: Set<string>;
}

export function newRoles(): VarRoles {
  return { pattern: new Set(), iter: new Set(), input: new Set() };
}

/** Collect var roles of `t` into `r`; `role` is the role a bare var has at this position. */
export function collectRoles(t: Term, r: VarRoles, role: 'pattern' | 'iter' | 'input'): void {
  switch (t.type) {
    case 'scalar':
      return;
    case 'var':
      if (!ROOTS.has(t.name) && !t.fn) r[role].add(t.name);
      return;
    case 'ref':
      collectRoles(t.head, r, 'input');
      for (const p of t.path) collectRoles(p, r, role === 'input' ? 'iter' : 'iter');
      return;
    case 'array':
      for (const i of t.items) collectRoles(i, r, role);
      return;
    case 'object':
      for (const [k, v] of t.items) {
        collectRoles(k, r, 'input');
        collectRoles(v, r, role);
      }
      return;
    case 'set':
      for (const i of t.items) collectRoles(i, r, 'input');
      return;
    case 'call':
      for (const a of t.args) collectRoles(a, r, 'input');
      return;
    default:
      for (const c of t.captured ?? []) r.input.add(c);
  }
}

/** All vars of a term outside comprehension bodies (captured vars included). */
export function termVars(t: Term): Set<string> {
  const r = newRoles();
  collectRoles(t, r, 'input');
  return new Set([...r.pattern, ...r.iter, ...r.input]);
}

/** All vars an expression mentions (outside nested bodies; captured vars included). */
export function exprVars(e: Expr): Set<string> {
  const r = newRoles();
  switch (e.kind) {
    case 'term':
      collectRoles(e.term, r, 'input');
      break;
    case 'unify':
    case 'assign':
      collectRoles(e.lhs, r, 'pattern');
      collectRoles(e.rhs, r, 'pattern');
      break;
    case 'some':
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
  }
  for (const w of e.with) collectRoles(w.value, r, 'input');
  return new Set([...r.pattern, ...r.iter, ...r.input]);
}

/** Bare vars of a pattern (var, array items, object values), for declarations. */
export function patternDeclVars(t: Term, out: Array<Extract<Term, { type: 'var' }>> = []): Array<Extract<Term, { type: 'var' }>> {
  if (t.type === 'var') out.push(t);
  else if (t.type === 'array') for (const i of t.items) patternDeclVars(i, out);
  else if (t.type === 'object') for (const [, v] of t.items) patternDeclVars(v, out);
  return out;
}

export function isSubset(a: Iterable<string>, s: Set<string>): boolean {
  for (const x of a) if (!s.has(x)) return false;
  return true;
}

/** Names an expression mentions outside nested bodies (decides comprehension captures). */
export function collectExprNames(e: Expr, out: Set<string>): void {
  switch (e.kind) {
    case 'term':
      collectNames(e.term, out);
      return;
    case 'unify':
    case 'assign':
      collectNames(e.lhs, out);
      collectNames(e.rhs, out);
      return;
    case 'some':
      for (const v of e.vars) out.add(v.name);
      return;
    case 'somein':
      if (e.key) collectNames(e.key, out);
      collectNames(e.value, out);
      collectNames(e.coll, out);
      return;
    case 'every':
      collectNames(e.domain, out);
      return;
  }
}

/** Names a term mentions outside nested bodies. */
export function collectNames(t: Term, out: Set<string>): void {
  switch (t.type) {
    case 'var':
      if (!t.generated) out.add(t.name);
      return;
    case 'ref':
      collectNames(t.head, out);
      for (const p of t.path) collectNames(p, out);
      return;
    case 'array':
    case 'set':
      for (const i of t.items) collectNames(i, out);
      return;
    case 'object':
      for (const [k, v] of t.items) {
        collectNames(k, out);
        collectNames(v, out);
      }
      return;
    case 'call':
      for (const a of t.args) collectNames(a, out);
      return;
    default:
      return;
  }
}
