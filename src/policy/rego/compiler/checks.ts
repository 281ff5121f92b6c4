/** Compiler checks: imports, rule-kind conflicts, redeclarations, recursion. */
import type { Expr, Module, Rule, Term } from '../ast.js';
import type { RegoErrorItem } from '../errors.js';
import { groundPath, importText } from '../parser.js';
import { findNode, groundPrefix, hasRules, type RuleNode, subtreeRules } from './tree.js';

const IMPORT_ROOTS = ['data', 'input', 'future', 'rego'];

/** Import checks; returns alias → path for data/input imports. */
export function checkImports(m: Module, errors: RegoErrorItem[]): Map<string, string[]> {
  const aliases = new Map<string, string[]>();
  let keywordImport: string | undefined;
  for (const imp of m.imports) {
    const text = importText(imp);
    const parts = groundPath(imp.path) ?? ['?'];
    const root = parts[0]!;
    if (!IMPORT_ROOTS.includes(root) || text === '?') {
      errors.push({
        code: 'rego_parse_error',
        message: `unexpected import path, import path must begin with one of: {data, future, input, rego}`,
        location: imp.loc,
      });
      continue;
    }
    if (root === 'future' || root === 'rego') {
      if (root === 'rego' && text !== 'rego.v1' && text !== 'rego.v2')
        errors.push({ code: 'rego_parse_error', message: `invalid import ${text}, must be rego.v1 or rego.v2`, location: imp.loc });
      if (root === 'future' && !/^future\.keywords(\.(in|every|if|contains|not))?$/.test(text)) {
        errors.push({ code: 'rego_parse_error', message: `unexpected future import ${text}`, location: imp.loc });
      }
      const isRego = (t: string): boolean => t === 'rego.v1' || t === 'rego.v2';
      const clash = keywordImport !== undefined && (isRego(text) || isRego(keywordImport));
      if (clash) errors.push({ code: 'rego_compile_error', message: `import ${text} shadows import ${keywordImport}`, location: imp.loc });
      if (keywordImport === undefined || isRego(text)) keywordImport = text;
      continue;
    }
    const alias = imp.alias ?? parts[parts.length - 1]!;
    if (aliases.has(alias)) {
      errors.push({ code: 'rego_compile_error', message: `import must not shadow import ${aliases.get(alias)!.join('.')}`, location: imp.loc });
    }
    aliases.set(alias, parts);
  }
  return aliases;
}

/** Rule kinds at one path must agree; `:=` rules and defaults must be unique. */
export function checkConflicts(node: RuleNode, errors: RegoErrorItem[]): void {
  const ground = node.rules.filter((r) => groundPrefix(r.ref).length === r.ref.length);
  const kinds = new Set(ground.map((r) => (r.kind === 'function' ? `function/${r.args!.length}` : r.kind)));
  const dynamic = node.rules.some((r) => groundPrefix(r.ref).length < r.ref.length);
  const name = node.path.join('.');
  if (kinds.size > 1 || (dynamic && ground.some((r) => r.kind !== 'complete' || !r.isDefault) && ground.length > 0)) {
    errors.push({ code: 'rego_type_error', message: `conflicting rules ${name} found`, location: ground[ground.length - 1]?.loc ?? node.rules[0]!.loc });
  }
  const defaults = ground.filter((r) => r.isDefault);
  if (defaults.length > 1) {
    errors.push({ code: 'rego_type_error', message: `multiple default rules ${name} found`, location: defaults[1]!.loc });
  }
  if (ground.length > 0 && [...node.children.values()].some(hasRules)) {
    errors.push({ code: 'rego_type_error', message: `rule ${name} conflicts with rules defined below it`, location: ground[0]!.loc });
  }
  for (const c of node.children.values()) checkConflicts(c, errors);
}

// ---------- recursion ----------

/** Ground prefixes of every data ref and user call in a rule. */
function ruleDeps(rule: Rule): Array<string[] & { exact?: boolean }> {
  const out: Array<string[] & { exact?: boolean }> = [];
  const consts = constantVars(rule);
  const term = (t: Term | undefined): void => {
    if (!t) return;
    switch (t.type) {
      case 'ref':
        if (t.head.type === 'var' && t.head.name === 'data') {
          const prefix: string[] & { exact?: boolean } = ['data', ...groundPrefix(t.path)];
          const next = t.path[prefix.length - 1];
          const known = next?.type === 'var' ? consts.get(next.name) : undefined;
          // `v := "lib"; data[v]` or `some v in ["lib"]`: OPA follows v's constant values only
          if (known) for (const k of known) out.push(Object.assign([...prefix, k], { exact: true }));
          else {
            if (next?.type === 'scalar') prefix.exact = true;
            out.push(prefix);
          }
        } else term(t.head);
        t.path.forEach(term);
        return;
      case 'var':
        if (t.name === 'data') out.push(['data']);
        return;
      case 'array':
      case 'set':
        t.items.forEach(term);
        return;
      case 'object':
        for (const [k, v] of t.items) {
          term(k);
          term(v);
        }
        return;
      case 'call':
        if (t.op.startsWith('data.')) out.push(t.op.split('.'));
        t.args.forEach(term);
        return;
      case 'arraycompr':
      case 'setcompr':
        term(t.term);
        body(t.body);
        return;
      case 'objectcompr':
        term(t.key);
        term(t.value);
        body(t.body);
        return;
      default:
        return;
    }
  };
  const body = (b: Expr[]): void => {
    for (const e of b) {
      switch (e.kind) {
        case 'term':
          term(e.term);
          break;
        case 'unify':
        case 'assign':
          term(e.lhs);
          term(e.rhs);
          break;
        case 'somein':
          term(e.key);
          term(e.value);
          term(e.coll);
          break;
        case 'every':
          term(e.domain);
          body(e.body);
          break;
        default:
          break;
      }
      for (const w of e.with) term(w.value);
    }
  };
  for (const r of [rule, ...rule.elses]) {
    body(r.body);
    term(r.value);
    term(r.key);
    r.ref.slice(1).forEach(term);
  }
  return out;
}

/**
 * Vars of a rule bound only to string constants: `v := "a"`, `v = "a"`, `some v in ["a", "b"]`
 * (a var with any other binding is left out: it may take any value).
 */
function constantVars(rule: Rule): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const other = new Set<string>();
  const strings = (t: Term): string[] | undefined => {
    if (t.type === 'scalar') return typeof t.value === 'string' ? [t.value] : undefined;
    if ((t.type === 'array' || t.type === 'set') && t.items.every((i) => i.type === 'scalar' && typeof i.value === 'string'))
      return t.items.map((i) => (i as { value: string }).value);
    return undefined;
  };
  const bind = (v: Term, values: string[] | undefined): void => {
    if (v.type !== 'var') return;
    if (values && !out.has(v.name)) out.set(v.name, values);
    else other.add(v.name);
  };
  for (const r of [rule, ...rule.elses]) {
    for (const e of r.body) {
      if (e.kind === 'assign' || e.kind === 'unify') {
        if (e.lhs.type === 'var') bind(e.lhs, e.rhs.type === 'scalar' ? strings(e.rhs) : undefined);
        if (e.kind === 'unify' && e.rhs.type === 'var') bind(e.rhs, e.lhs.type === 'scalar' ? strings(e.lhs) : undefined);
      } else if (e.kind === 'somein') {
        bind(e.value, strings(e.coll));
        if (e.key) bind(e.key, undefined);
      }
    }
  }
  for (const v of other) out.delete(v);
  return out;
}

/** Rule nodes a dependency path can reach: the node's subtree and rules on its ancestors. */
function targets(root: RuleNode, path: string[] & { exact?: boolean }): RuleNode[] {
  const out: RuleNode[] = [];
  let node: RuleNode | undefined = root;
  for (const seg of path.slice(1)) {
    if (node.rules.length > 0) out.push(node);
    node = node.children.get(seg);
    if (!node) return out;
  }
  const collect = (n: RuleNode): void => {
    if (n.rules.length > 0) out.push(n);
    if (!path.exact) n.children.forEach(collect);
  };
  collect(node);
  return out;
}

/** Report each cycle once: "rule data.a.p is recursive: data.a.p -> data.a.q -> data.a.p". */
export function checkRecursion(root: RuleNode, errors: RegoErrorItem[]): void {
  const nodes = subtreeRules(root).map((r) => findNodeOf(root, r));
  const unique = [...new Set(nodes)];
  const edges = new Map<RuleNode, Set<RuleNode>>();
  for (const n of unique) {
    const set = new Set<RuleNode>();
    for (const r of n.rules) for (const dep of ruleDeps(r)) for (const t of targets(root, dep)) set.add(t);
    edges.set(n, set);
  }
  const state = new Map<RuleNode, 1 | 2>();
  const stack: RuleNode[] = [];
  const reported = new Set<string>();
  const visit = (n: RuleNode): void => {
    state.set(n, 1);
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      if (state.get(m) === 1) {
        const cycle = [...stack.slice(stack.indexOf(m)), m].map((x) => x.key);
        if (!reported.has(m.key)) {
          reported.add(m.key);
          errors.push({ code: 'rego_recursion_error', message: `rule ${m.key} is recursive: ${cycle.join(' -> ')}`, location: m.rules[0]!.loc });
        }
      } else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of unique) if (!state.has(n)) visit(n);
}

function findNodeOf(root: RuleNode, r: Rule): RuleNode {
  return findNode(root, groundPrefix(r.ref))!;
}
