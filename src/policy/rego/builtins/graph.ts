/** Graph builtins (graph.reachable, graph.reachable_paths); rego.metadata.* without annotations (calls in annotated rules are folded at parse time, see metadata.ts). */
import { RObject, RSet, typeName, type Value } from '../value.js';
import { argArrayOrSet, argObject, BuiltinError, registerBuiltins } from './registry.js';

function neighbours(graph: RObject, node: Value, name: string): Value[] {
  const edges = graph.get(node);
  if (edges === undefined || edges === null) return [];
  if (Array.isArray(edges)) return edges;
  if (edges instanceof RSet) return edges.values();
  throw new BuiltinError(`${name}: operand 1 must be object[any: array or set] but got ${typeName(edges)} edges`, 'type');
}

registerBuiltins('graph', [
  {
    name: 'graph.reachable',
    arity: 2,
    fn: (args) => {
      const graph = argObject(args, 0, 'graph.reachable');
      const out = new RSet();
      const queue = argArrayOrSet(args, 1, 'graph.reachable').filter((n) => graph.has(n));
      while (queue.length > 0) {
        const n = queue.shift()!;
        if (out.has(n)) continue;
        out.add(n);
        for (const m of neighbours(graph, n, 'graph.reachable')) if (!out.has(m) && graph.has(m)) queue.push(m);
      }
      return out;
    },
  },
  {
    name: 'graph.reachable_paths',
    arity: 2,
    fn: (args) => {
      const graph = argObject(args, 0, 'graph.reachable_paths');
      const out = new RSet();
      const walk = (path: Value[]): void => {
        const last = path[path.length - 1]!;
        const next = neighbours(graph, last, 'graph.reachable_paths').filter((m) => graph.has(m) && !path.some((p) => p === m));
        if (next.length === 0) out.add(path);
        for (const m of next) walk([...path, m]);
      };
      for (const start of argArrayOrSet(args, 1, 'graph.reachable_paths')) if (graph.has(start)) walk([start]);
      return out;
    },
  },
  { name: 'rego.metadata.rule', arity: 0, fn: () => new RObject() },
  { name: 'rego.metadata.chain', arity: 0, fn: () => [] },
]);
