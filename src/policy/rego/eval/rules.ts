/** Virtual documents: navigating data through the rule tree and evaluating rules. */
import type { Rule, Term } from '../ast.js';
import { groundPrefix, type RuleNode } from '../compiler/tree.js';
import { regoError } from '../errors.js';
import { RObject, RSet, type Value, valueEquals } from '../value.js';
import type { Evaluator } from './evaluator.js';
import { BUSY, Frame, NONE, type ValCont } from './state.js';

/** Evaluate data.<path...>, descending the rule tree while the path is ground. */
export function evalDataRef(ev: Evaluator, frame: Frame, path: Term[], k: ValCont): boolean {
  return descend(ev, frame, ev.policy.tree, path, 0, k);
}

function descend(ev: Evaluator, frame: Frame, node: RuleNode, path: Term[], i: number, k: ValCont): boolean {
  const masked = ev.st.masked?.has(node.key);
  if (masked) return walkBase(ev, frame, node.path, path, i, k);
  if (i === path.length || node.rules.length > 0) {
    const v = nodeValue(ev, node);
    return v === undefined ? false : ev.walk(frame, v, path, i, k, true);
  }
  const p = path[i]!;
  if (p.type === 'scalar') {
    const child = typeof p.value === 'string' || typeof p.value === 'number' ? node.children.get(String(p.value)) : undefined;
    if (child) return descend(ev, frame, child, path, i + 1, k);
    return walkBase(ev, frame, node.path, path, i, k);
  }
  if (ev.evaluable(frame, p)) {
    return ev.evalTerm(frame, p, (key) => {
      const child = typeof key === 'string' ? node.children.get(key) : undefined;
      if (child) return descend(ev, frame, child, path, i + 1, k);
      const base = baseAt(ev, node.path);
      return base === undefined ? false : ev.walk(frame, base, [{ type: 'scalar', value: key, loc: p.loc }, ...path.slice(i + 1)], 0, k, true);
    });
  }
  const v = nodeValue(ev, node);
  return v === undefined ? false : ev.walk(frame, v, path, i, k, true);
}

function walkBase(ev: Evaluator, frame: Frame, at: string[], path: Term[], i: number, k: ValCont): boolean {
  const base = baseAt(ev, at);
  return base === undefined ? false : ev.walk(frame, base, path, i, k, true);
}

/** Base data (possibly patched by `with`) at an absolute path. */
export function baseAt(ev: Evaluator, path: string[]): Value | undefined {
  let v: Value | undefined = ev.st.data;
  for (const seg of path.slice(1)) {
    if (!(v instanceof RObject)) return undefined;
    v = v.getStr(seg);
    if (v === undefined) return undefined;
  }
  return v;
}

/** Full value of a tree node: its rules, or an object of its children merged over base data. */
export function nodeValue(ev: Evaluator, node: RuleNode): Value | undefined {
  const cached = ev.st.cache.get(node.key);
  if (cached === BUSY) throw regoError('rego_recursion_error', `rule ${node.key} is recursive`, node.rules[0]?.loc);
  if (cached !== undefined) return cached === NONE ? undefined : cached;
  if (ev.st.masked?.has(node.key)) return baseAt(ev, node.path);
  ev.st.cache.set(node.key, BUSY);
  let v: Value | undefined;
  try {
    v = node.rules.length > 0 ? rulesValue(ev, node) : childrenValue(ev, node);
  } finally {
    ev.st.cache.delete(node.key);
  }
  ev.st.cache.set(node.key, v === undefined ? NONE : v);
  return v;
}

function childrenValue(ev: Evaluator, node: RuleNode): Value | undefined {
  const base = baseAt(ev, node.path);
  const out = base instanceof RObject ? new RObject(base.entries()) : new RObject();
  for (const [name, child] of node.children) {
    const cv = nodeValue(ev, child);
    if (cv !== undefined) out.set(name, cv);
  }
  return out;
}

function rulesValue(ev: Evaluator, node: RuleNode): Value | undefined {
  const rules = node.rules;
  if (rules[0]!.kind === 'function') {
    return rules[0]!.args!.length === 0 ? callFunction(ev, node.key, []) : undefined;
  }
  const depth = node.path.length;
  const dynamic = rules.filter((r) => r.ref.length > depth);
  if (dynamic.length === 0 && node.children.size === 0) {
    return rules[0]!.kind === 'multi' ? setValue(ev, node, rules) : completeValue(ev, node, rules);
  }
  const out = dynamicValue(ev, node, dynamic, depth);
  if (!(out instanceof RObject)) return out;
  for (const [name, child] of node.children) {
    const cv = nodeValue(ev, child);
    if (cv === undefined) continue;
    const prev = out.get(name);
    if (prev !== undefined && !valueEquals(prev, cv)) throw regoError('eval_conflict_error', 'object keys must be unique', child.rules[0]?.loc);
    out.set(name, cv);
  }
  return out;
}

/** Run a rule body, calling `k` with the frame of every solution. */
export function eachSolution(ev: Evaluator, rule: Rule, frame: Frame, k: (f: Frame) => boolean): boolean {
  const cover = ev.cover;
  if (cover) {
    const last = indexExcludedUpTo(ev, rule);
    if (last >= 0) {
      // Coverage only: OPA's rule index never runs this body, so its expressions up to the last
      // indexed one are reported `index_excluded` and nothing in it counts as covered. The body is
      // still evaluated (it fails at that expression), so answers are the same with or without coverage.
      for (const e of rule.body.slice(0, last + 1)) cover(e.loc, 'index_excluded');
      ev.cover = undefined;
      try {
        return ev.evalBody(frame, rule.body, 0, () => k(frame));
      } finally {
        ev.cover = cover;
      }
    }
  }
  return ev.evalBody(frame, rule.body, 0, () => k(frame));
}

/**
 * Index of the last expression by which OPA's rule index (ast/index.go) excludes this body for the
 * current input, or -1: `input.a.b == scalar`, `scalar == input.a.b`, `input.a.b = scalar` and
 * `input.a.b in {scalars}` / `[scalars]`, not negated and without `with`, where the input value is
 * undefined or another value. Such a body fails at that expression whatever else it binds.
 */
function indexExcludedUpTo(ev: Evaluator, rule: Rule): number {
  if (rule.kind === 'function' || rule.isDefault) return -1;
  let last = -1;
  let excluded = false;
  rule.body.forEach((e, i) => {
    if (e.negated || e.with.length > 0) return;
    let ref: Term | undefined;
    let allowed: Term[] | undefined;
    if (e.kind === 'unify') [ref, allowed] = indexPair(e.lhs, e.rhs);
    else if (e.kind === 'term' && e.term.type === 'call' && e.term.args.length === 2) {
      const [a, b] = e.term.args as [Term, Term];
      if (e.term.op === 'equal') [ref, allowed] = indexPair(a, b);
      else if (e.term.op === 'internal.member_2' && isInputRef(a) && (b.type === 'set' || b.type === 'array') && b.items.every((t) => t.type === 'scalar')) {
        ref = a;
        allowed = b.items;
      }
    }
    if (!ref || !allowed) return;
    last = i;
    let value: Value | undefined;
    ev.evalTerm(new Frame(), ref, (v) => {
      value = v;
      return true;
    });
    const want = allowed;
    if (value === undefined || !want.some((t) => valueEquals((t as { value: Value }).value, value!))) excluded = true;
  });
  return excluded ? last : -1;
}

function indexPair(a: Term, b: Term): [Term | undefined, Term[] | undefined] {
  if (isInputRef(a) && b.type === 'scalar') return [a, [b]];
  if (isInputRef(b) && a.type === 'scalar') return [b, [a]];
  return [undefined, undefined];
}

function isInputRef(t: Term): boolean {
  return t.type === 'ref' && t.head.type === 'var' && t.head.name === 'input' && t.path.every((p) => p.type === 'scalar');
}

function record(ev: Evaluator, rule: Rule, node: RuleNode, value: Value, frame: Frame): void {
  if (ev.cover) ev.cover(rule.loc);
  if (!ev.explain) return;
  const bindings: Record<string, Value> = {};
  for (const [k, v] of frame.vars) if (!k.includes('$')) bindings[k] = v;
  ev.explain.push({ rule: node.key, value, bindings, location: rule.loc });
}

function completeValue(ev: Evaluator, node: RuleNode, rules: Rule[]): Value | undefined {
  let result: Value | undefined;
  let def: Rule | undefined;
  for (const rule of rules) {
    if (rule.isDefault) {
      def = rule;
      continue;
    }
    for (const branch of [rule, ...rule.elses]) {
      let found = false;
      const frame = new Frame();
      const once = isConstant(branch.value ?? TRUE);
      eachSolution(ev, branch, frame, (f) =>
        ev.evalTerm(f, branch.value ?? TRUE, (v) => {
          found = true;
          if (result !== undefined && !valueEquals(result, v)) {
            throw regoError('eval_conflict_error', 'complete rules must not produce multiple outputs', branch.loc);
          }
          result = v;
          record(ev, branch, node, v, f);
          return once;
        }),
      );
      if (found) break;
    }
  }
  if (result === undefined && def)
    ev.evalTerm(new Frame(), def.value ?? TRUE, (v) => {
      result = v;
      ev.cover?.(def!.loc);
      return true;
    });
  return result;
}

/** Ground literal (no vars, refs, calls): one solution is enough (OPA's early exit). */
function isConstant(t: Term): boolean {
  switch (t.type) {
    case 'scalar':
      return true;
    case 'array':
    case 'set':
      return t.items.every(isConstant);
    case 'object':
      return t.items.every(([k, v]) => isConstant(k) && isConstant(v));
    default:
      return false;
  }
}

const TRUE: Term = { type: 'scalar', value: true, loc: { file: '', row: 0, col: 0 } };

function setValue(ev: Evaluator, node: RuleNode, rules: Rule[]): Value {
  const out = new RSet();
  // No early exit for multi-value rules, even with a constant key: OPA 1.22.3 evaluates every
  // solution of `p contains 1 if { ... }`, so a builtin error in a later solution is raised.
  for (const rule of rules) {
    eachSolution(ev, rule, new Frame(), (f) =>
      ev.evalTerm(f, rule.key!, (v) => {
        out.add(v);
        record(ev, rule, node, v, f);
        return false;
      }),
    );
  }
  return out;
}

/** Object built from rules whose refs continue past the node (`p[x] := y`, `a.b[x] contains y`). */
function dynamicValue(ev: Evaluator, node: RuleNode, rules: Rule[], depth: number): Value | undefined {
  let out: RObject | undefined;
  const wholeDefault = node.rules.find((r) => r.isDefault && r.ref.length === depth);
  for (const rule of rules.filter((r) => !r.isDefault)) {
    const suffix = rule.ref.slice(depth);
    for (const branch of [rule, ...rule.elses]) {
      let found = false;
      const once = rule.kind !== 'multi' && suffix.every(isConstant) && isConstant(branch.value ?? TRUE);
      eachSolution(ev, branch, new Frame(), (f) =>
        ev.evalItems(f, suffix, 0, [], (keys) => {
          const leaf = rule.kind === 'multi' ? rule.key! : (branch.value ?? TRUE);
          return ev.evalTerm(f, leaf, (v) => {
            found = true;
            out ??= new RObject();
            insertAt(out, keys, v, rule.kind === 'multi', branch);
            record(ev, branch, node, v, f);
            return once;
          });
        }),
      );
      if (found) break;
    }
  }
  for (const d of rules.filter((r) => r.isDefault)) {
    ev.evalItems(new Frame(), d.ref.slice(depth), 0, [], (keys) =>
      ev.evalTerm(new Frame(), d.value ?? TRUE, (v) => {
        out ??= new RObject();
        if (getPath(out, keys) === undefined) insertAt(out, keys, v, false, d);
        return true;
      }),
    );
  }
  if (!out && wholeDefault)
    ev.evalTerm(new Frame(), wholeDefault.value ?? TRUE, (v) => {
      out = v as RObject;
      return true;
    });
  return out ?? new RObject();
}

function getPath(obj: Value, keys: Value[]): Value | undefined {
  let cur: Value | undefined = obj;
  for (const k of keys) {
    if (!(cur instanceof RObject)) return undefined;
    cur = cur.get(k);
  }
  return cur;
}

function insertAt(obj: RObject, keys: Value[], v: Value, multi: boolean, rule: Rule): void {
  const [key, ...rest] = keys;
  if (rest.length === 0) {
    const prev = obj.get(key!);
    if (multi) {
      const set = prev instanceof RSet ? prev : new RSet();
      set.add(v);
      obj.set(key!, set);
      return;
    }
    if (prev !== undefined && !valueEquals(prev, v)) {
      throw regoError('eval_conflict_error', 'object keys must be unique', rule.loc);
    }
    obj.set(key!, v);
    return;
  }
  let child = obj.get(key!);
  if (child === undefined) {
    child = new RObject();
    obj.set(key!, child);
  } else if (!(child instanceof RObject)) {
    throw regoError('eval_conflict_error', 'object keys must be unique', rule.loc);
  }
  insertAt(child, rest, v, multi, rule);
}

/** Call a user function with argument values; undefined when no definition applies. */
export function callFunction(ev: Evaluator, name: string, args: Value[]): Value | undefined {
  const rules = ev.policy.functions.get(name);
  if (!rules) return undefined;
  let result: Value | undefined;
  let def: Rule | undefined;
  for (const rule of rules) {
    if (rule.isDefault) {
      def = rule;
      continue;
    }
    for (const branch of [rule, ...rule.elses]) {
      let found = false;
      const frame = new Frame();
      bindArgs(ev, frame, rule.args!, args, 0, () =>
        eachSolution(ev, branch, frame, (f) =>
          ev.evalTerm(f, branch.value ?? TRUE, (v) => {
            found = true;
            if (ev.cover) ev.cover(branch.loc);
            if (result !== undefined && !valueEquals(result, v)) {
              throw regoError('eval_conflict_error', 'functions must not produce multiple outputs for same inputs', branch.loc);
            }
            result = v;
            return false;
          }),
        ),
      );
      if (found) break;
    }
  }
  if (result === undefined && def)
    ev.evalTerm(new Frame(), def.value ?? TRUE, (v) => {
      result = v;
      ev.cover?.(def!.loc);
      return true;
    });
  return result;
}

function bindArgs(ev: Evaluator, frame: Frame, params: Term[], args: Value[], i: number, k: () => boolean): boolean {
  if (i === params.length) return k();
  return ev.unifyValue(frame, params[i]!, args[i]!, () => bindArgs(ev, frame, params, args, i + 1, k));
}

export { groundPrefix };
