/** Top-down evaluator core: bodies, expressions, terms, refs and unification (CPS with backtracking). */
import type { Expr, Term, TermOf } from '../ast.js';
import type { BuiltinContext } from '../builtins/registry.js';
import type { Compiled } from '../compiler/index.js';
import { type Location, regoError } from '../errors.js';
import { collectionEntries, getIndex, RObject, RSet, type Value, valueEquals } from '../value.js';
import { evalCall, evalCallExpr } from './calls.js';
import { evalDataRef } from './rules.js';
import { type Cont, type EvalState, Frame, type Limits, type ValCont } from './state.js';
import { applyWith } from './with.js';

export interface ExplainEntry {
  rule: string;
  value: Value;
  bindings: Record<string, Value>;
  location: Location;
}

export class Evaluator {
  st: EvalState;
  readonly explain: ExplainEntry[] | undefined;
  /** Values of query expressions (for results). */
  readonly exprValues = new Map<Expr, Value>();
  /**
   * Coverage hook (`policy test --coverage`): told each expression evaluated and each rule head that
   * produced a value; `kind` 'index_excluded' for expressions of a body OPA's rule index would skip.
   */
  cover: ((loc: Location, kind?: 'index_excluded') => void) | undefined = undefined;

  constructor(
    readonly policy: Compiled,
    state: EvalState,
    readonly bctx: BuiltinContext,
    readonly limits: Limits,
    explain: boolean,
  ) {
    this.st = state;
    this.explain = explain ? [] : undefined;
  }

  get strict(): boolean {
    return this.bctx.strict;
  }

  // ---------- bodies and expressions ----------
  evalBody(frame: Frame, body: Expr[], i: number, k: Cont): boolean {
    if (i === body.length) return k();
    return this.evalExpr(frame, body[i]!, () => this.evalBody(frame, body, i + 1, k));
  }

  evalExpr(frame: Frame, e: Expr, k: Cont): boolean {
    this.limits.tick(e.loc);
    if (this.cover) this.cover(e.loc);
    if (e.with.length > 0) return this.evalWith(frame, e, k);
    if (e.negated) {
      const found = this.evalExprPos(frame, e, () => true);
      return found ? false : k();
    }
    return this.evalExprPos(frame, e, k);
  }

  private evalWith(frame: Frame, e: Expr, k: Cont): boolean {
    const saved = this.st;
    const next = applyWith(this, frame, e);
    if (!next) return false;
    this.st = next;
    const inner: Expr = { ...e, with: [] };
    try {
      return this.evalExpr(frame, inner, () => {
        this.st = saved;
        const stop = k();
        this.st = next;
        return stop;
      });
    } finally {
      this.st = saved;
    }
  }

  private evalExprPos(frame: Frame, e: Expr, k: Cont): boolean {
    switch (e.kind) {
      case 'some':
        return k();
      case 'term':
        if (e.term.type === 'call') {
          return evalCallExpr(this, frame, e.term, (v) => {
            if (v === false && !e.capture) return false;
            this.exprValues.set(e, v);
            return k();
          });
        }
        return this.evalTerm(frame, e.term, (v) => {
          if (v === false && !e.capture) return false;
          this.exprValues.set(e, v);
          return k();
        });
      case 'unify':
      case 'assign':
        return this.unify(frame, e.lhs, e.rhs, () => {
          this.exprValues.set(e, true);
          return k();
        });
      case 'somein':
        return this.evalTerm(frame, e.coll, (c) => {
          // OPA: `some x in <scalar>` has no solution (undefined), in strict mode too
          if (!(Array.isArray(c) || c instanceof RObject || c instanceof RSet)) return false;
          for (const [key, val] of collectionEntries(c)) {
            this.limits.tick(e.loc);
            const stop = e.key ? this.unifyValue(frame, e.key, key, () => this.unifyValue(frame, e.value, val, k)) : this.unifyValue(frame, e.value, val, k);
            if (stop) return true;
          }
          return false;
        });
      case 'every':
        return this.evalEvery(frame, e, k);
    }
  }

  private evalEvery(frame: Frame, e: Extract<Expr, { kind: 'every' }>, k: Cont): boolean {
    return this.evalTerm(frame, e.domain, (d) => {
      if (!(Array.isArray(d) || d instanceof RObject || d instanceof RSet)) return false;
      for (const [key, val] of collectionEntries(d)) {
        this.limits.tick(e.loc);
        const child = new Frame(frame);
        const ok = e.key
          ? this.unifyValue(child, e.key, key, () => this.unifyValue(child, e.value, val, () => this.evalBody(child, e.body, 0, () => true)))
          : this.unifyValue(child, e.value, val, () => this.evalBody(child, e.body, 0, () => true));
        if (!ok) return false;
      }
      return k();
    });
  }

  // ---------- terms ----------
  evalTerm(frame: Frame, t: Term, k: ValCont): boolean {
    switch (t.type) {
      case 'scalar':
        return k(t.value);
      case 'var':
        return this.evalVar(frame, t, k);
      case 'ref':
        return this.evalRef(frame, t, k);
      case 'array':
        return this.evalItems(frame, t.items, 0, [], (vs) => k(vs));
      case 'set':
        return this.evalItems(frame, t.items, 0, [], (vs) => k(new RSet(vs)));
      case 'object':
        return this.evalObject(frame, t, 0, new RObject(), k);
      case 'call':
        return evalCall(this, frame, t, k);
      default:
        return k(this.evalCompr(frame, t));
    }
  }

  private evalVar(frame: Frame, t: TermOf<'var'>, k: ValCont): boolean {
    const v = frame.get(t.name);
    if (v !== undefined) return k(v);
    if (t.name === 'input') return this.st.input === undefined ? false : k(this.st.input);
    if (t.name === 'data') return evalDataRef(this, frame, [], k);
    return false;
  }

  evalItems(frame: Frame, items: Term[], i: number, acc: Value[], k: (vs: Value[]) => boolean): boolean {
    // scalars need no enumeration: take them iteratively (keeps the stack flat for long literals)
    while (i < items.length && items[i]!.type === 'scalar') {
      acc[i] = (items[i] as TermOf<'scalar'>).value;
      i++;
    }
    if (i === items.length) return k(acc.slice(0, items.length));
    return this.evalTerm(frame, items[i]!, (v) => {
      acc[i] = v;
      return this.evalItems(frame, items, i + 1, acc, k);
    });
  }

  private evalObject(frame: Frame, t: TermOf<'object'>, i: number, acc: RObject, k: ValCont): boolean {
    while (i < t.items.length && t.items[i]![0].type === 'scalar' && t.items[i]![1].type === 'scalar') {
      const [kt, vt] = t.items[i] as [TermOf<'scalar'>, TermOf<'scalar'>];
      const prev = acc.get(kt.value);
      if (prev !== undefined && !valueEquals(prev, vt.value)) throw regoError('eval_conflict_error', 'object keys must be unique', t.loc);
      acc.set(kt.value, vt.value);
      i++;
    }
    if (i === t.items.length) return k(new RObject(acc.entries()));
    const [kt, vt] = t.items[i]!;
    return this.evalTerm(frame, kt, (kv) =>
      this.evalTerm(frame, vt, (vv) => {
        const prev = acc.get(kv);
        if (prev !== undefined && !valueEquals(prev, vv)) {
          throw regoError('eval_conflict_error', 'object keys must be unique', t.loc);
        }
        acc.set(kv, vv);
        const stop = this.evalObject(frame, t, i + 1, acc, k);
        if (prev === undefined) acc.delete(kv);
        return stop;
      }),
    );
  }

  /** Count `units` built here against the size and step limits. */
  built(units: number, loc: Term['loc']): void {
    const crossed = this.limits.build(units, 'comprehension');
    if (crossed) throw regoError('eval_limit_error', crossed, loc);
  }

  evalCompr(frame: Frame, t: Extract<Term, { type: 'arraycompr' | 'setcompr' | 'objectcompr' }>): Value {
    const child = new Frame(frame);
    if (t.type === 'arraycompr') {
      const out: Value[] = [];
      this.evalBody(child, t.body, 0, () =>
        this.evalTerm(child, t.term, (v) => {
          this.built(1, t.loc);
          out.push(v);
          return false;
        }),
      );
      return out;
    }
    if (t.type === 'setcompr') {
      const out = new RSet();
      this.evalBody(child, t.body, 0, () =>
        this.evalTerm(child, t.term, (v) => {
          this.built(1, t.loc);
          out.add(v);
          return false;
        }),
      );
      return out;
    }
    const out = new RObject();
    this.evalBody(child, t.body, 0, () =>
      this.evalTerm(child, t.key, (kv) =>
        this.evalTerm(child, t.value, (vv) => {
          const prev = out.get(kv);
          if (prev !== undefined && !valueEquals(prev, vv)) throw regoError('eval_conflict_error', 'object keys must be unique', t.loc);
          this.built(1, t.loc);
          out.set(kv, vv);
          return false;
        }),
      ),
    );
    return out;
  }

  // ---------- refs ----------
  evalRef(frame: Frame, t: TermOf<'ref'>, k: ValCont): boolean {
    const head = t.head;
    if (head.type === 'var' && frame.get(head.name) === undefined) {
      if (head.name === 'data') return evalDataRef(this, frame, t.path, k);
      if (head.name === 'input') return this.st.input === undefined ? false : this.walk(frame, this.st.input, t.path, 0, k);
    }
    return this.evalTerm(frame, head, (v) => this.walk(frame, v, t.path, 0, k));
  }

  /** Index `v` by path[i..], iterating unbound vars. `dataKeys`: numbers also find string keys (data refs). */
  walk(frame: Frame, v: Value, path: Term[], i: number, k: ValCont, dataKeys = false): boolean {
    if (i === path.length) return k(v);
    const p = path[i]!;
    if (p.type === 'scalar') {
      const child = index(v, p.value, dataKeys);
      return child === undefined ? false : this.walk(frame, child, path, i + 1, k, dataKeys);
    }
    if (!this.evaluable(frame, p)) {
      for (const [key, child] of collectionEntries(v)) {
        this.limits.tick(p.loc);
        if (this.unifyValue(frame, p, key, () => this.walk(frame, child, path, i + 1, k, dataKeys))) return true;
      }
      return false;
    }
    return this.evalTerm(frame, p, (key) => {
      const child = index(v, key, dataKeys);
      return child === undefined ? false : this.walk(frame, child, path, i + 1, k, dataKeys);
    });
  }

  /** True when the term has no unbound vars (outside ref paths and comprehension bodies). */
  evaluable(frame: Frame, t: Term): boolean {
    switch (t.type) {
      case 'scalar':
        return true;
      case 'var':
        return t.name === 'data' || t.name === 'input' || frame.get(t.name) !== undefined;
      case 'ref':
        return this.evaluable(frame, t.head);
      case 'array':
      case 'set':
        return t.items.every((x) => this.evaluable(frame, x));
      case 'object':
        return t.items.every(([a, b]) => this.evaluable(frame, a) && this.evaluable(frame, b));
      case 'call':
        return t.args.every((x) => this.evaluable(frame, x));
      default:
        return true;
    }
  }

  // ---------- unification ----------
  bind(frame: Frame, name: string, v: Value, k: Cont): boolean {
    frame.vars.set(name, v);
    const stop = k();
    frame.vars.delete(name);
    return stop;
  }

  isUnboundVar(frame: Frame, t: Term): t is TermOf<'var'> {
    return t.type === 'var' && t.name !== 'data' && t.name !== 'input' && frame.get(t.name) === undefined;
  }

  unify(frame: Frame, a: Term, b: Term, k: Cont): boolean {
    if (this.isUnboundVar(frame, a)) return this.evalTerm(frame, b, (v) => this.unifyValue(frame, a, v, k));
    if (this.isUnboundVar(frame, b)) return this.evalTerm(frame, a, (v) => this.unifyValue(frame, b, v, k));
    if (a.type === 'array' && b.type === 'array') {
      if (a.items.length !== b.items.length) return false;
      return this.unifyPairs(
        frame,
        a.items.map((x, i) => [x, b.items[i]!]),
        k,
      );
    }
    if (!this.evaluable(frame, a)) return this.evalTerm(frame, b, (v) => this.unifyValue(frame, a, v, k));
    return this.evalTerm(frame, a, (v) => this.unifyValue(frame, b, v, k));
  }

  private unifyPairs(frame: Frame, pairs: Array<[Term, Term]>, k: Cont): boolean {
    if (pairs.length === 0) return k();
    let idx = pairs.findIndex(([x, y]) => this.evaluable(frame, x) || this.evaluable(frame, y));
    if (idx < 0) idx = 0;
    const [x, y] = pairs[idx]!;
    const rest = pairs.filter((_, i) => i !== idx);
    return this.unify(frame, x, y, () => this.unifyPairs(frame, rest, k));
  }

  /** Unify a term (pattern) with a known value. */
  unifyValue(frame: Frame, t: Term, v: Value, k: Cont): boolean {
    switch (t.type) {
      case 'scalar':
        return valueEquals(t.value, v) ? k() : false;
      case 'var': {
        const b = frame.get(t.name);
        if (b !== undefined) return valueEquals(b, v) ? k() : false;
        if (t.name === 'data' || t.name === 'input') return this.evalTerm(frame, t, (x) => (valueEquals(x, v) ? k() : false));
        return this.bind(frame, t.name, v, k);
      }
      case 'array':
        if (!Array.isArray(v) || v.length !== t.items.length) return false;
        return this.unifyItems(frame, t.items, v, 0, k);
      case 'object':
        if (!(v instanceof RObject) || v.size !== t.items.length) return false;
        return this.unifyEntries(frame, t.items, v, 0, k);
      default:
        return this.evalTerm(frame, t, (x) => (valueEquals(x, v) ? k() : false));
    }
  }

  private unifyItems(frame: Frame, items: Term[], vs: Value[], i: number, k: Cont): boolean {
    if (i === items.length) return k();
    return this.unifyValue(frame, items[i]!, vs[i]!, () => this.unifyItems(frame, items, vs, i + 1, k));
  }

  private unifyEntries(frame: Frame, items: Array<[Term, Term]>, obj: RObject, i: number, k: Cont): boolean {
    if (i === items.length) return k();
    const [kt, vt] = items[i]!;
    return this.evalTerm(frame, kt, (key) => {
      const val = obj.get(key);
      if (val === undefined) return false;
      return this.unifyValue(frame, vt, val, () => this.unifyEntries(frame, items, obj, i + 1, k));
    });
  }
}

function index(v: Value, key: Value, dataKeys: boolean): Value | undefined {
  const child = getIndex(v, key);
  if (child !== undefined || !dataKeys || !(v instanceof RObject) || typeof key !== 'number') return child;
  return v.getStr(String(key));
}
