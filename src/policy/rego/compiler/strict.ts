/**
 * Strict-mode checks (`opa check --strict`, `--strict` on eval/test), with OPA's messages: unused
 * imports, unused function arguments, assigned (`x := 1`) and declared (`some x`) variables never
 * used, and deprecated builtins in any module. Run on the parsed modules, before name resolution.
 */
import type { Expr, Module, Rule } from '../ast.js';
import type { RegoErrorItem } from '../errors.js';
import { groundPath, importText } from '../parser.js';

/** Builtins deprecated in Rego (refused in v1 modules; reported in every module by strict mode). */
export const DEPRECATED = new Set([
  'any',
  'all',
  're_match',
  'net.cidr_overlap',
  'set_diff',
  'cast_array',
  'cast_set',
  'cast_string',
  'cast_boolean',
  'cast_null',
  'cast_object',
]);

interface VarNode {
  type: 'var';
  name: string;
  generated?: boolean;
}

/** Every var node under `x` (AST walk; locations and back-links skipped). */
function varNodes(x: unknown, out: VarNode[] = []): VarNode[] {
  if (!x || typeof x !== 'object') return out;
  if (Array.isArray(x)) {
    for (const i of x) varNodes(i, out);
    return out;
  }
  const o = x as Record<string, unknown>;
  if (o.type === 'var' && typeof o.name === 'string' && !o.generated) out.push(o as unknown as VarNode);
  for (const [k, v] of Object.entries(o)) if (k !== 'loc' && k !== 'module') varNodes(v, out);
  return out;
}

/** Call names (ops) under `x`, with the location of their call. */
function calls(x: unknown, out: Array<{ op: string; loc: RegoErrorItem['location'] }> = []): typeof out {
  if (!x || typeof x !== 'object') return out;
  if (Array.isArray(x)) {
    for (const i of x) calls(i, out);
    return out;
  }
  const o = x as Record<string, unknown>;
  if (o.type === 'call' && typeof o.op === 'string') out.push({ op: o.op, loc: o.loc as RegoErrorItem['location'] });
  for (const [k, v] of Object.entries(o)) if (k !== 'loc' && k !== 'module') calls(v, out);
  return out;
}

const ruleParts = (r: Rule): unknown[] => [r.ref.slice(1), r.args, r.key, r.value, r.body, r.elses.map((e) => [e.value, e.body])];

/** Append strict-mode findings for module `m` to `errors`. */
export function strictChecks(m: Module, errors: RegoErrorItem[]): void {
  unusedImports(m, errors);
  for (const r of m.rules) {
    unusedArgs(r, errors);
    for (const body of [r.body, ...r.elses.map((e) => e.body)]) unusedLocals(r, body, errors);
  }
  if (!m.v1) {
    for (const c of calls(m.rules.map(ruleParts))) {
      if (DEPRECATED.has(c.op)) errors.push({ code: 'rego_type_error', message: `deprecated built-in function calls in expression: ${c.op}`, location: c.loc });
    }
  }
}

/**
 * The one strict-mode check OPA 1.x applies to every Rego v1 module, strict or not: a variable
 * declared with `some` and never used (`declared var w unused`).
 */
export function v1Checks(m: Module, errors: RegoErrorItem[]): void {
  if (!m.v1) return;
  for (const r of m.rules) for (const body of [r.body, ...r.elses.map((e) => e.body)]) unusedLocals(r, body, errors, true);
}

/** Names a rule declares locally (they shadow imports inside it). */
function localNames(r: Rule): Set<string> {
  const out = new Set(varNodes(r.args).map((v) => v.name));
  const visit = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) {
      x.forEach(visit);
      return;
    }
    const e = x as Partial<Expr> & Record<string, unknown>;
    if (e.kind === 'assign') for (const v of varNodes(e.lhs)) out.add(v.name);
    if (e.kind === 'some') for (const v of e.vars!) out.add(v.name);
    if (e.kind === 'somein' || e.kind === 'every') for (const v of varNodes([e.key, e.value])) out.add(v.name);
    for (const [k, v] of Object.entries(e)) if (k !== 'loc' && k !== 'module') visit(v);
  };
  visit(ruleParts(r));
  return out;
}

function unusedImports(m: Module, errors: RegoErrorItem[]): void {
  const used = new Set<string>();
  for (const r of m.rules) {
    const locals = localNames(r);
    for (const v of varNodes(ruleParts(r))) if (!locals.has(v.name)) used.add(v.name);
  }
  for (const imp of m.imports) {
    const parts = groundPath(imp.path);
    if (!parts || (parts[0] !== 'data' && parts[0] !== 'input')) continue;
    const alias = imp.alias ?? parts[parts.length - 1]!;
    if (parts.length === 1 && !imp.alias) continue; // `import input` / `import data` name the root itself
    if (!used.has(alias))
      errors.push({ code: 'rego_compile_error', message: `import ${importText(imp)}${imp.alias ? ` as ${imp.alias}` : ''} unused`, location: imp.loc });
  }
}

function unusedArgs(r: Rule, errors: RegoErrorItem[]): void {
  if (!r.args) return;
  const used = varNodes([r.value, r.body, r.elses.map((e) => [e.value, e.body])]);
  for (const a of varNodes(r.args)) {
    if (!used.some((u) => u.name === a.name))
      errors.push({ code: 'rego_compile_error', message: `unused argument ${a.name}. (hint: use _ (wildcard variable) instead)`, location: r.loc });
  }
}

/** `x := ...` and `some x` whose variable no other part of the rule reads. */
function unusedLocals(r: Rule, body: Expr[], errors: RegoErrorItem[], declaredOnly = false): void {
  const all = varNodes(ruleParts(r));
  const walk = (exprs: Expr[]): void => {
    for (const e of exprs) {
      if (e.kind === 'assign' && !declaredOnly) {
        for (const v of varNodes(e.lhs)) {
          if (!all.some((u) => u !== v && u.name === v.name))
            errors.push({ code: 'rego_compile_error', message: `assigned var ${v.name} unused`, location: e.loc });
        }
      } else if (e.kind === 'some') {
        for (const v of e.vars) {
          if (!all.some((u) => u !== (v as unknown as VarNode) && u.name === v.name))
            errors.push({ code: 'rego_compile_error', message: `declared var ${v.name} unused`, location: e.loc });
        }
      } else if (e.kind === 'every') walk(e.body);
    }
  };
  walk(body);
}
