/** The compiler: parsed modules → checked, resolved, reordered rules in a rule tree. */
import type { Expr, Module, Rule } from '../ast.js';
import { lookupBuiltin } from '../builtins/registry.js';
import { RegoError, type RegoErrorItem } from '../errors.js';
import { checkConflicts, checkImports, checkRecursion } from './checks.js';
import { type NameEnv, Resolver } from './resolve.js';
import { Safety } from './safety.js';
import { DEPRECATED, strictChecks, v1Checks } from './strict.js';
import { absoluteRef, buildTree, groundPrefix, type RuleNode } from './tree.js';

/** Builtins removed from Rego v1 (rejected in v1 modules). */
const V1_REMOVED = DEPRECATED;

export interface Compiled {
  modules: Module[];
  rules: Rule[];
  tree: RuleNode;
  /** Dotted function path → its definitions. */
  functions: Map<string, Rule[]>;
  strict: boolean;
}

/** Compile parsed modules; throws RegoError listing every problem. */
export function compileModules(modules: Module[], strict = false): Compiled {
  const errors: RegoErrorItem[] = [];
  const rules: Rule[] = [];
  if (strict) for (const m of modules) strictChecks(m, errors);
  else for (const m of modules) v1Checks(m, errors);
  const pkgRuleNames = new Map<string, Set<string>>();
  for (const m of modules) {
    const key = m.package.join('.');
    const names = pkgRuleNames.get(key) ?? new Set<string>();
    for (const r of m.rules) names.add(String((r.ref[0] as { value: unknown }).value));
    pkgRuleNames.set(key, names);
  }
  const functions = new Map<string, Rule[]>();
  const arities = new Map<string, number>();
  for (const m of modules) {
    for (const r of m.rules) {
      if (m.v1 && ['input', 'data'].includes(String((r.ref[0] as { value: unknown }).value))) {
        errors.push({
          code: 'rego_compile_error',
          message: `rules must not shadow ${String((r.ref[0] as { value: unknown }).value)} (use a different rule name)`,
          location: r.loc,
        });
      }
      r.ref = absoluteRef(r);
      for (const e of r.elses) e.ref = r.ref;
      if (r.kind === 'function') {
        const name = groundPrefix(r.ref).join('.');
        functions.set(name, [...(functions.get(name) ?? []), r]);
        arities.set(name, r.args!.length);
      }
      rules.push(r);
    }
  }
  for (const m of modules) {
    const imports = checkImports(m, errors);
    const ruleNames = pkgRuleNames.get(m.package.join('.'))!;
    const env: NameEnv = { pkg: m.package, ruleNames, imports, v1: m.v1, functions: arities, errors };
    const resolver = new Resolver(env);
    for (const r of m.rules) resolver.resolveRule(r);
    if (m.v1) for (const r of m.rules) checkRemoved(r, errors);
  }
  const arityOf = (op: string): number | undefined => arities.get(op) ?? lookupBuiltin(op)?.arity;
  const safety = new Safety(arityOf, errors);
  for (const r of rules) safety.checkRule(r);
  const tree = buildTree(
    rules,
    modules.map((m) => ['data', ...m.package]),
  );
  checkConflicts(tree, errors);
  checkRecursion(tree, errors);
  if (errors.length > 0) throw new RegoError(sortErrors(errors));
  return { modules, rules, tree, functions, strict };
}

/** Compile a query body against a compiled policy (names: data, input, locals). */
export function compileQuery(policy: Compiled, body: Expr[]): Expr[] {
  const errors: RegoErrorItem[] = [];
  const arities = new Map<string, number>();
  for (const [k, v] of policy.functions) arities.set(k, v[0]!.args!.length);
  const env: NameEnv = { pkg: [], ruleNames: new Set(), imports: new Map(), v1: false, functions: arities, errors };
  const resolved = new Resolver(env).resolveQuery(body);
  const arityOf = (op: string): number | undefined => arities.get(op) ?? lookupBuiltin(op)?.arity;
  const out = new Safety(arityOf, errors).reorder(resolved, new Set());
  if (errors.length > 0) throw new RegoError(sortErrors(errors));
  return out;
}

function checkRemoved(rule: Rule, errors: RegoErrorItem[]): void {
  const visit = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) {
      x.forEach(visit);
      return;
    }
    const o = x as Record<string, unknown>;
    if (o.type === 'call' && V1_REMOVED.has(o.op as string)) {
      errors.push({
        code: 'rego_type_error',
        message: `deprecated built-in function calls in expression: ${String(o.op)}`,
        location: o.loc as RegoErrorItem['location'],
      });
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'loc' && k !== 'module') visit(v);
  };
  visit([rule.body, rule.value, rule.key, rule.elses.map((e) => [e.body, e.value])]);
}

function sortErrors(errors: RegoErrorItem[]): RegoErrorItem[] {
  return [...errors].sort((a, b) => {
    const fa = a.location?.file ?? '';
    const fb = b.location?.file ?? '';
    if (fa !== fb) return fa < fb ? -1 : 1;
    return (a.location?.row ?? 0) - (b.location?.row ?? 0) || (a.location?.col ?? 0) - (b.location?.col ?? 0);
  });
}
