/** The rule tree: data paths → rules, built once per compiled policy. */
import type { Rule, Term } from '../ast.js';

export interface RuleNode {
  /** Absolute path, starting with "data". */
  path: string[];
  key: string;
  children: Map<string, RuleNode>;
  /** Rules whose ground ref prefix ends at this node. */
  rules: Rule[];
  /** Number of leading ref elements (after "data"+package) that are ground for each rule. */
}

/** Absolute ref of a rule: data + package + head ref. */
export function absoluteRef(rule: Rule): Term[] {
  const pkg = rule.module?.package ?? [];
  const loc = rule.loc;
  return [{ type: 'scalar', value: 'data', loc }, ...pkg.map((p): Term => ({ type: 'scalar', value: p, loc })), ...rule.ref];
}

/** Leading string segments of a ref (the ground prefix). */
export function groundPrefix(ref: Term[]): string[] {
  const out: string[] = [];
  for (const t of ref) {
    if (t.type !== 'scalar' || typeof t.value !== 'string') break;
    out.push(t.value);
  }
  return out;
}

export function newNode(path: string[]): RuleNode {
  return { path, key: path.join('.'), children: new Map(), rules: [] };
}

/** Build the tree from rules (rule.ref must already be absolute). */
export function buildTree(rules: Rule[], packages: string[][] = []): RuleNode {
  const root = newNode(['data']);
  const nodeAt = (path: string[]): RuleNode => {
    let node = root;
    for (const seg of path.slice(1)) {
      let child = node.children.get(seg);
      if (!child) {
        child = newNode([...node.path, seg]);
        node.children.set(seg, child);
      }
      node = child;
    }
    return node;
  };
  for (const p of packages) nodeAt(p);
  for (const r of rules) nodeAt(groundPrefix(r.ref)).rules.push(r);
  return root;
}

/** Find the node at a path (absolute, starting with "data"). */
export function findNode(root: RuleNode, path: string[]): RuleNode | undefined {
  let node: RuleNode | undefined = root;
  for (const seg of path.slice(1)) {
    node = node.children.get(seg);
    if (!node) return undefined;
  }
  return node;
}

/** Every rule in the subtree of a node. */
export function subtreeRules(node: RuleNode, out: Rule[] = []): Rule[] {
  out.push(...node.rules);
  for (const c of node.children.values()) subtreeRules(c, out);
  return out;
}

/** Does the subtree contain any rule? */
export function hasRules(node: RuleNode): boolean {
  if (node.rules.length > 0) return true;
  for (const c of node.children.values()) if (hasRules(c)) return true;
  return false;
}
