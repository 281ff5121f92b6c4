/** Object builtins: object.get/remove/union/union_n/filter/keys/subset, json.filter, json.remove (json.patch in json-patch.ts). */
import { collectionEntries, getIndex, keyOf, RObject, RSet, typeName, type Value, valueEquals } from '../value.js';
import { argArray, argObject, BuiltinError, type BuiltinFn, registerBuiltins } from './registry.js';

function keysOf(v: Value, name: string): Value[] {
  if (Array.isArray(v)) return v;
  if (v instanceof RSet) return v.values();
  if (v instanceof RObject) return v.keys();
  throw new BuiltinError(`${name}: operand 2 must be one of {object, set, array} but got ${typeName(v)}`, 'type');
}

const get: BuiltinFn = (args) => {
  const obj = argObject(args, 0, 'object.get');
  const key = args[1]!;
  const dflt = args[2]!;
  if (!Array.isArray(key)) return obj.get(key) ?? dflt;
  let cur: Value = obj;
  for (const k of key) {
    const next = getIndex(cur, k);
    if (next === undefined) return dflt;
    cur = next;
  }
  return cur;
};

/** Recursive merge: b wins, nested objects merged. */
export function unionObjects(a: RObject, b: RObject): RObject {
  const out = new RObject(a.entries());
  for (const [k, v] of b.entries()) {
    const prev = out.get(k);
    out.set(k, prev instanceof RObject && v instanceof RObject ? unionObjects(prev, v) : v);
  }
  return out;
}

function isSubset(sup: Value, sub: Value): boolean {
  if (sup instanceof RObject && sub instanceof RObject) {
    return sub.entries().every(([k, v]) => {
      const s = sup.get(k);
      return s !== undefined && isSubset(s, v);
    });
  }
  if (sup instanceof RSet && sub instanceof RSet) return sub.values().every((x) => sup.has(x));
  if (Array.isArray(sup) && Array.isArray(sub)) {
    if (sub.length === 0) return true;
    for (let i = 0; i + sub.length <= sup.length; i++) if (sub.every((x, j) => valueEquals(x, sup[i + j]!))) return true;
    return false;
  }
  if (Array.isArray(sup) && sub instanceof RSet) return sub.values().every((x) => sup.some((y) => valueEquals(x, y)));
  return valueEquals(sup, sub);
}

/** Paths for json.filter/json.remove: "a/b" strings or arrays of segments. */
function parsePaths(v: Value, name: string): Value[][] {
  const items = Array.isArray(v) ? v : v instanceof RSet ? v.values() : undefined;
  if (!items) throw new BuiltinError(`${name}: operand 2 must be one of {set, array} but got ${typeName(v)}`, 'type');
  return items.map((p) => {
    if (typeof p === 'string')
      return p
        .replace(/^\/+/, '')
        .split('/')
        .filter((s) => s !== '')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (Array.isArray(p)) return p;
    throw new BuiltinError(`${name}: path must be string or array but got ${typeName(p)}`, 'type');
  });
}

interface PathTree {
  leaf: boolean;
  kids: Map<string, { key: Value; tree: PathTree }>;
}

function pathTree(paths: Value[][]): PathTree {
  const root: PathTree = { leaf: false, kids: new Map() };
  for (const p of paths) {
    let t = root;
    for (const seg of p) {
      const k = keyOf(seg);
      let next = t.kids.get(k);
      if (!next) {
        next = { key: seg, tree: { leaf: false, kids: new Map() } };
        t.kids.set(k, next);
      }
      t = next.tree;
    }
    t.leaf = true;
  }
  return root;
}

/** Filter child for a key; array indexes match string segments only (as OPA's filter does). */
function childFor(t: PathTree, key: Value, arrayIndex = false): PathTree | undefined {
  if (arrayIndex) return t.kids.get(keyOf(String(key)))?.tree;
  return t.kids.get(keyOf(key))?.tree;
}

function filterValue(v: Value, t: PathTree): Value | undefined {
  if (t.leaf) return v;
  if (v instanceof RObject) {
    const out = new RObject();
    for (const [k, x] of v.entries()) {
      const c = childFor(t, k);
      const f = c && filterValue(x, c);
      if (f !== undefined) out.set(k, f);
    }
    return out;
  }
  if (Array.isArray(v)) {
    const out: Value[] = [];
    v.forEach((x, i) => {
      const c = childFor(t, i, true);
      const f = c && filterValue(x, c);
      if (f !== undefined) out.push(f);
    });
    return out;
  }
  if (v instanceof RSet) {
    return new RSet(
      v
        .values()
        .filter((x) => childFor(t, x))
        .map((x) => filterValue(x, childFor(t, x)!) ?? x),
    );
  }
  return undefined;
}

function removeValue(v: Value, t: PathTree): Value | undefined {
  if (t.leaf) return undefined;
  const entries = collectionEntries(v);
  const keep = (k: Value, x: Value): Value | undefined => {
    const c = childFor(t, k);
    return c ? removeValue(x, c) : x;
  };
  if (v instanceof RObject) {
    const out = new RObject();
    for (const [k, x] of entries) {
      const r = keep(k, x);
      if (r !== undefined) out.set(k, r);
    }
    return out;
  }
  if (Array.isArray(v)) return entries.map(([k, x]) => keep(k, x)).filter((x): x is Value => x !== undefined);
  if (v instanceof RSet) return new RSet(entries.map(([k, x]) => keep(k, x)).filter((x): x is Value => x !== undefined));
  return v;
}

registerBuiltins('objects', [
  { name: 'object.get', arity: 3, fn: get },
  {
    name: 'object.remove',
    arity: 2,
    fn: (args) => {
      const obj = argObject(args, 0, 'object.remove');
      const drop = new RSet(keysOf(args[1]!, 'object.remove'));
      return new RObject(obj.entries().filter(([k]) => !drop.has(k)));
    },
  },
  {
    name: 'object.filter',
    arity: 2,
    fn: (args) => {
      const obj = argObject(args, 0, 'object.filter');
      const keep = new RSet(keysOf(args[1]!, 'object.filter'));
      return new RObject(obj.entries().filter(([k]) => keep.has(k)));
    },
  },
  { name: 'object.union', arity: 2, fn: (args) => unionObjects(argObject(args, 0, 'object.union'), argObject(args, 1, 'object.union')) },
  {
    name: 'object.union_n',
    arity: 1,
    fn: (args) => {
      const xs = argArray(args, 0, 'object.union_n');
      return xs.reduce<RObject>((acc, x) => {
        if (!(x instanceof RObject)) throw new BuiltinError(`object.union_n: operand 1 must be array[object] but got ${typeName(x)} element`, 'type');
        return unionObjects(acc, x);
      }, new RObject());
    },
  },
  { name: 'object.keys', arity: 1, fn: (args) => new RSet(argObject(args, 0, 'object.keys').keys()) },
  {
    name: 'object.subset',
    arity: 2,
    fn: (args) => {
      const [a, b] = args as [Value, Value];
      const ok = (a instanceof RObject && b instanceof RObject) || ((a instanceof RSet || Array.isArray(a)) && (b instanceof RSet || Array.isArray(b)));
      if (!ok) throw new BuiltinError(`object.subset: both arguments must be objects, sets or arrays but got ${typeName(a)} and ${typeName(b)}`, 'type');
      return isSubset(a, b);
    },
  },
  {
    name: 'json.filter',
    arity: 2,
    fn: (args) => filterValue(argObject(args, 0, 'json.filter'), pathTree(parsePaths(args[1]!, 'json.filter'))) ?? new RObject(),
  },
  {
    name: 'json.remove',
    arity: 2,
    fn: (args) => removeValue(argObject(args, 0, 'json.remove'), pathTree(parsePaths(args[1]!, 'json.remove'))) ?? new RObject(),
  },
]);
