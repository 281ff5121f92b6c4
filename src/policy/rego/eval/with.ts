/** `with` modifiers: replace input, parts of data, or functions for one expression. */
import type { Expr, Term } from '../ast.js';
import { lookupBuiltin } from '../builtins/registry.js';
import { regoError } from '../errors.js';
import type { RObject, Value } from '../value.js';
import type { Evaluator } from './evaluator.js';
import { type EvalState, type Frame, setPath } from './state.js';

/** New state with the expression's `with` modifiers applied; undefined if a value is undefined. */
export function applyWith(ev: Evaluator, frame: Frame, e: Expr): EvalState | undefined {
  let st: EvalState = { ...ev.st, cache: new Map(), fnCache: new Map() };
  for (const w of e.with) {
    let value: Value | undefined;
    ev.evalTerm(frame, w.value, (v) => {
      value = v;
      return true;
    });
    const target = w.target;
    const head = target.type === 'ref' ? target.head : target;
    if (head.type !== 'var') throw regoError('rego_compile_error', 'invalid with target', w.loc);
    if (head.name === 'input' || head.name === 'data') {
      if (value === undefined) return undefined;
      const path = target.type === 'ref' ? target.path.map((p) => groundKey(ev, frame, p)) : [];
      st = head.name === 'input' ? { ...st, input: setPath(st.input, path, value) } : withData(st, path, value);
    } else {
      const fnOverrides = new Map(st.fnOverrides ?? []);
      const replacement = functionRef(w.value, (n) => ev.policy.functions.has(n) || lookupBuiltin(n) !== undefined);
      if (replacement) fnOverrides.set(head.name, { term: { type: 'var', name: replacement, loc: w.value.loc } });
      else {
        if (value === undefined) return undefined;
        fnOverrides.set(head.name, { term: w.value, value });
      }
      st = { ...st, fnOverrides };
    }
  }
  return st;
}

function groundKey(ev: Evaluator, frame: Frame, t: Term): Value {
  let key: Value | undefined;
  ev.evalTerm(frame, t, (v) => {
    key = v;
    return true;
  });
  if (key === undefined) throw regoError('rego_compile_error', 'with target path must be ground', t.loc);
  return key;
}

function withData(st: EvalState, path: Value[], value: Value): EvalState {
  const data = setPath(st.data, path, value) as RObject;
  const masked = new Set(st.masked ?? []);
  const keys = ['data'];
  for (const p of path) keys.push(String(p));
  // Mask the rule node at the path and every node below it; ancestors are recomputed (cache is fresh).
  masked.add(keys.join('.'));
  return { ...st, data, masked };
}

/** Dotted name when the `with` value names a function (builtin or user). */
function functionRef(t: Term, isFn: (name: string) => boolean): string | undefined {
  let name: string | undefined;
  if (t.type === 'var' && !t.name.includes('$') && t.name !== 'input' && t.name !== 'data') name = t.name;
  else if (t.type === 'ref' && t.head.type === 'var' && t.path.every((p) => p.type === 'scalar' && typeof p.value === 'string')) {
    name = [t.head.name, ...t.path.map((p) => String((p as { value: unknown }).value))].join('.');
  }
  return name !== undefined && isFn(name) ? name : undefined;
}
