/** Function calls: user functions, builtins (strict/non-strict errors), print, walk, `with` overrides. */
import type { TermOf } from '../ast.js';
import { BuiltinError, lookupBuiltin } from '../builtins/registry.js';
import { type Location, regoError } from '../errors.js';
import { formatJson, formatRego, keyOf, type Value } from '../value.js';
import type { Evaluator } from './evaluator.js';
import { callFunction } from './rules.js';
import { type Frame, NONE, type ValCont } from './state.js';

type Call = TermOf<'call'>;

function arityOf(ev: Evaluator, op: string): number | undefined {
  const fns = ev.policy.functions.get(op);
  if (fns) return fns[0]!.args!.length;
  return lookupBuiltin(op)?.arity;
}

/** A call used as an expression: with an extra argument, the result is unified with it. */
export function evalCallExpr(ev: Evaluator, frame: Frame, t: Call, k: ValCont): boolean {
  const arity = arityOf(ev, t.op);
  if (arity !== undefined && t.args.length === arity + 1) {
    const out = t.args[arity]!;
    const call: Call = { ...t, args: t.args.slice(0, arity) };
    return evalCall(ev, frame, call, (v) => ev.unifyValue(frame, out, v, () => k(true)));
  }
  return evalCall(ev, frame, t, k);
}

/** Evaluate a call term to its value(s). */
export function evalCall(ev: Evaluator, frame: Frame, t: Call, k: ValCont): boolean {
  if (t.op === 'print') return evalPrint(ev, frame, t, k);
  return ev.evalItems(frame, t.args, 0, [], (args) => {
    if (t.op === 'walk') return evalWalk(args[0]!, k);
    const v = invoke(ev, t.op, args, t.loc);
    return v === undefined ? false : k(v);
  });
}

/** Invoke a function by name (honouring `with` replacements). */
export function invoke(ev: Evaluator, op: string, args: Value[], loc: Location): Value | undefined {
  const ov = ev.st.fnOverrides?.get(op);
  if (ov) {
    if (ov.value !== undefined) return ov.value;
    const target = ov.term.type === 'var' ? ov.term.name : op;
    if (target !== op) return invokeReplacement(ev, op, target, args, loc);
  }
  if (ev.policy.functions.has(op)) {
    const key = `${op}(${args.map(keyOf).join(',')})`;
    const hit = ev.st.fnCache.get(key);
    if (hit !== undefined) return hit === NONE ? undefined : hit;
    const v = callFunction(ev, op, args);
    ev.st.fnCache.set(key, v === undefined ? NONE : v);
    return v;
  }
  const def = lookupBuiltin(op);
  if (!def) throw regoError('eval_builtin_error', `undefined function ${op}`, loc);
  let cacheKey: string | undefined;
  if (def.nondeterministic) {
    cacheKey = `${op}(${args.map((a) => formatJson(a)).join(',')})`;
    const hit = ev.bctx.cache.get(cacheKey);
    if (hit !== undefined) return hit;
  }
  try {
    const v = def.fn(args, ev.bctx);
    if (cacheKey !== undefined && v !== undefined) ev.bctx.cache.set(cacheKey, v);
    return v;
  } catch (e) {
    if (!(e instanceof BuiltinError)) throw e;
    if (e.kind === 'limit') throw regoError('eval_limit_error', e.message, loc);
    if (ev.strict || e.kind === 'unsupported') {
      const code = e.kind === 'type' ? 'eval_type_error' : 'eval_builtin_error';
      throw regoError(code, e.message, loc);
    }
    return undefined;
  }
}

/**
 * Call the replacement of `op` (`with op as target`); inside it, `op` is the original again, as in
 * OPA, so a replacement that calls the function it replaces does not recurse forever. The caches are
 * fresh because values computed there depend on that.
 */
function invokeReplacement(ev: Evaluator, op: string, target: string, args: Value[], loc: Location): Value | undefined {
  const saved = ev.st;
  const fnOverrides = new Map(saved.fnOverrides);
  fnOverrides.delete(op);
  ev.st = { ...saved, fnOverrides, cache: new Map(), fnCache: new Map() };
  try {
    return invoke(ev, target, args, loc);
  } finally {
    ev.st = saved;
  }
}

function evalPrint(ev: Evaluator, frame: Frame, t: Call, k: ValCont): boolean {
  const parts: string[][] = t.args.map(() => []);
  t.args.forEach((a, i) => {
    ev.evalTerm(frame, a, (v) => {
      parts[i]!.push(typeof v === 'string' ? v : formatRego(v));
      return false;
    });
  });
  const text = parts.map((p) => (p.length === 0 ? '<undefined>' : p.length === 1 ? p[0]! : `{${p.join(', ')}}`)).join(' ');
  ev.bctx.print(`${t.loc.file}:${t.loc.row}: ${text}`);
  return k(true);
}

/** walk(x): every [path, value] pair of a document, the document itself first. */
function evalWalk(root: Value, k: ValCont): boolean {
  const visit = (path: Value[], v: Value): boolean => {
    if (k([path.slice(), v])) return true;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (visit([...path, i], v[i]!)) return true;
    } else if (v !== null && typeof v === 'object') {
      const entries = 'entries' in v ? v.entries() : [];
      if ('add' in v) {
        for (const x of v.values()) if (visit([...path, x], x)) return true;
      } else for (const [key, x] of entries) if (visit([...path, key], x)) return true;
    }
    return false;
  };
  return visit([], root);
}
