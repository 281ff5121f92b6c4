/**
 * json.patch: RFC 6902 over Rego values (string or array paths, sets addressed by member).
 * As in OPA 1.22.3, a patch that cannot apply is a builtin error (eval_builtin_error): undefined by
 * default, raised under strict builtin errors.
 */
import { getIndex, RObject, RSet, type Value, valueEquals } from '../value.js';
import { argArray, BuiltinError, registerBuiltins } from './registry.js';

const fail = (why = 'patch cannot be applied'): never => {
  throw new BuiltinError(`json.patch: ${why}`);
};
/** The value, or a patch failure when it is absent (null is a value). */
function must<T>(x: T | undefined, why?: string): T {
  return x === undefined ? fail(why) : x;
}

/** Path → segments; string paths are JSON pointers, arrays are taken as is. */
function segments(p: Value | undefined): Value[] {
  if (typeof p === 'string') {
    if (p === '') return [];
    if (!p.startsWith('/')) fail(`path ${JSON.stringify(p)} is not a JSON pointer (it must start with /)`);
    return p
      .slice(1)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  if (Array.isArray(p)) return p;
  return fail('path must be a string or an array');
}

function arrayIndex(seg: Value, len: number, allowEnd: boolean): number {
  if (allowEnd && seg === '-') return len;
  let n: number;
  if (typeof seg === 'string') {
    if (!/^(0|[1-9]\d*)$/.test(seg)) fail(`invalid array index ${JSON.stringify(seg)}`);
    n = Number(seg);
  } else if (typeof seg === 'number' && Number.isSafeInteger(seg)) n = seg;
  else return fail('invalid number type for indexing');
  if (n < 0 || n > (allowEnd ? len : len - 1)) fail('index for array out of bounds');
  return n;
}

function member(set: RSet, seg: Value): Value | undefined {
  return set.has(seg) ? seg : undefined;
}

function getAt(doc: Value | undefined, segs: Value[]): Value {
  let cur = must(doc);
  for (const seg of segs) {
    let next: Value | undefined;
    if (Array.isArray(cur)) next = cur[arrayIndex(seg, cur.length, false)];
    else if (cur instanceof RSet) next = member(cur, seg);
    else next = getIndex(cur, seg);
    cur = must(next, 'path does not exist in the document');
  }
  return cur;
}

/** Copy-on-write update of the parent of the last segment. */
function update(doc: Value | undefined, segs: Value[], op: (parent: Value, last: Value) => Value): Value {
  if (doc === undefined) return fail('the document was removed');
  const [seg, ...rest] = segs;
  if (rest.length === 0) return op(doc, seg!);
  if (doc instanceof RSet) {
    if (!doc.has(seg!)) fail('path does not exist in the set');
    const updated = update(seg!, rest, op);
    return new RSet([...doc.values().filter((x) => !valueEquals(x, seg!)), updated]);
  }
  if (Array.isArray(doc)) {
    const i = arrayIndex(seg!, doc.length, false);
    const out = doc.slice();
    out[i] = update(doc[i], rest, op);
    return out;
  }
  if (!(doc instanceof RObject)) return fail('path goes through a scalar');
  const child = must(doc.get(seg!), 'path does not exist in the object');
  return new RObject(doc.entries()).set(seg!, update(child, rest, op));
}

function add(doc: Value | undefined, segs: Value[], value: Value): Value {
  if (segs.length === 0) return value;
  return update(doc, segs, (parent, last) => {
    if (Array.isArray(parent)) {
      const out = parent.slice();
      out.splice(arrayIndex(last, parent.length, true), 0, value);
      return out;
    }
    if (parent instanceof RSet) return new RSet([...parent.values(), value]);
    if (parent instanceof RObject) return new RObject(parent.entries()).set(last, value);
    return fail('cannot add a child to a scalar');
  });
}

function remove(doc: Value | undefined, segs: Value[]): Value | undefined {
  if (segs.length === 0) return doc === undefined ? fail('the document was removed') : undefined;
  return update(doc, segs, (parent, last) => {
    if (Array.isArray(parent)) {
      const out = parent.slice();
      out.splice(arrayIndex(last, parent.length, false), 1);
      return out;
    }
    if (parent instanceof RSet) {
      if (!parent.has(last)) fail('cannot delete a set member that does not exist');
      return new RSet(parent.values().filter((x) => !valueEquals(x, last)));
    }
    if (parent instanceof RObject) {
      if (!parent.has(last)) fail('cannot delete a child key that does not exist');
      return new RObject(parent.entries().filter(([k]) => !valueEquals(k, last)));
    }
    return fail('cannot delete a child of a scalar');
  });
}

function isPrefix(a: Value[], b: Value[]): boolean {
  return a.length < b.length && a.every((x, i) => valueEquals(x, b[i]!));
}

function applyOp(doc: Value | undefined, p: Value): Value | undefined {
  if (!(p instanceof RObject)) return fail('a patch operation must be an object');
  const op = must(p.getStr('op'), "missing required attribute 'op'");
  const path = segments(must(p.getStr('path'), "missing required attribute 'path'"));
  const value = p.getStr('value');
  const from = (): Value[] => segments(must(p.getStr('from'), "missing required attribute 'from'"));
  const val = (): Value => must(value, "missing required attribute 'value'");
  switch (op) {
    case 'add':
      return add(doc, path, val());
    case 'remove':
      return remove(doc, path);
    case 'replace': {
      const old = getAt(doc, path);
      const v = val();
      for (let i = 1; i < path.length; i++) if (getAt(doc, path.slice(0, i)) instanceof RSet) fail('cannot replace a value inside a set member');
      const parent = path.length > 0 ? getAt(doc, path.slice(0, -1)) : undefined;
      if (parent instanceof RSet && !valueEquals(old, v)) fail('cannot replace a set member with a different value');
      return add(remove(doc, path), path, v);
    }
    case 'move': {
      const f = from();
      if (isPrefix(f, path)) fail('cannot move a node into its own child');
      const v = getAt(doc, f);
      return add(remove(doc, f), path, v);
    }
    case 'copy':
      return add(doc, path, getAt(doc, from()));
    case 'test':
      return valueEquals(getAt(doc, path), val()) ? doc : fail('value from the document != patch value');
    default:
      return fail(`unrecognized op: ${JSON.stringify(op)}`);
  }
}

registerBuiltins('json-patch', [
  {
    name: 'json.patch',
    arity: 2,
    fn: (args) => {
      const patches = argArray(args, 1, 'json.patch');
      let doc: Value | undefined = args[0]!;
      for (const p of patches) doc = applyOp(doc, p);
      return doc;
    },
  },
]);
