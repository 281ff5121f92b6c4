/** json.patch: RFC 6902 over Rego values (string or array paths, sets addressed by member). */
import { getIndex, RObject, RSet, valueEquals, type Value } from '../value.js';
import { argArray, registerBuiltins } from './registry.js';

class PatchFail extends Error {}
const fail = (): never => {
  throw new PatchFail();
};

/** Path → segments; string paths are JSON pointers, arrays are taken as is. */
function segments(p: Value | undefined): Value[] {
  if (typeof p === 'string') {
    if (p === '') return [];
    if (!p.startsWith('/')) fail();
    return p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  if (Array.isArray(p)) return p;
  return fail();
}

function arrayIndex(seg: Value, len: number, allowEnd: boolean): number {
  if (allowEnd && seg === '-') return len;
  let n: number;
  if (typeof seg === 'string') {
    if (!/^(0|[1-9]\d*)$/.test(seg)) fail();
    n = Number(seg);
  } else if (typeof seg === 'number' && Number.isSafeInteger(seg)) n = seg;
  else return fail();
  if (n < 0 || n > (allowEnd ? len : len - 1)) fail();
  return n;
}

function member(set: RSet, seg: Value): Value | undefined {
  return set.has(seg) ? seg : undefined;
}

function getAt(doc: Value | undefined, segs: Value[]): Value {
  let cur = doc ?? fail();
  for (const seg of segs) {
    let next: Value | undefined;
    if (Array.isArray(cur)) next = cur[arrayIndex(seg, cur.length, false)];
    else if (cur instanceof RSet) next = member(cur, seg);
    else next = getIndex(cur, seg);
    cur = next ?? fail();
  }
  return cur;
}

/** Copy-on-write update of the parent of the last segment. */
function update(doc: Value | undefined, segs: Value[], op: (parent: Value, last: Value) => Value): Value {
  if (doc === undefined) return fail();
  const [seg, ...rest] = segs;
  if (rest.length === 0) return op(doc, seg!);
  if (doc instanceof RSet) return fail();
  if (Array.isArray(doc)) {
    const i = arrayIndex(seg!, doc.length, false);
    const out = doc.slice();
    out[i] = update(doc[i], rest, op);
    return out;
  }
  if (!(doc instanceof RObject)) return fail();
  const child = doc.get(seg!) ?? fail();
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
    return fail();
  });
}

function remove(doc: Value | undefined, segs: Value[]): Value | undefined {
  if (segs.length === 0) return doc === undefined ? fail() : undefined;
  return update(doc, segs, (parent, last) => {
    if (Array.isArray(parent)) {
      const out = parent.slice();
      out.splice(arrayIndex(last, parent.length, false), 1);
      return out;
    }
    if (parent instanceof RSet) {
      if (!parent.has(last)) fail();
      return new RSet(parent.values().filter((x) => !valueEquals(x, last)));
    }
    if (parent instanceof RObject) {
      if (!parent.has(last)) fail();
      return new RObject(parent.entries().filter(([k]) => !valueEquals(k, last)));
    }
    return fail();
  });
}

function isPrefix(a: Value[], b: Value[]): boolean {
  return a.length < b.length && a.every((x, i) => valueEquals(x, b[i]!));
}

function applyOp(doc: Value | undefined, p: Value): Value | undefined {
  if (!(p instanceof RObject)) return fail();
  const op = p.getStr('op');
  const path = segments(p.getStr('path') ?? fail());
  const value = p.getStr('value');
  const from = (): Value[] => segments(p.getStr('from') ?? fail());
  switch (op) {
    case 'add':
      return add(doc, path, value ?? fail());
    case 'remove':
      return remove(doc, path);
    case 'replace': {
      const old = getAt(doc, path);
      const v = value ?? fail();
      const parent = path.length > 0 ? getAt(doc, path.slice(0, -1)) : undefined;
      if (parent instanceof RSet && !valueEquals(old, v)) fail();
      return add(remove(doc, path), path, v);
    }
    case 'move': {
      const f = from();
      if (isPrefix(f, path)) fail();
      const v = getAt(doc, f);
      return add(remove(doc, f), path, v);
    }
    case 'copy':
      return add(doc, path, getAt(doc, from()));
    case 'test':
      return valueEquals(getAt(doc, path), value ?? fail()) ? doc : fail();
    default:
      return fail();
  }
}

registerBuiltins('json-patch', [
  { name: 'json.patch', arity: 2, fn: (args) => {
    const patches = argArray(args, 1, 'json.patch');
    let doc: Value | undefined = args[0]!;
    try {
      for (const p of patches) doc = applyOp(doc, p);
    } catch (e) {
      if (e instanceof PatchFail) return undefined;
      throw e;
    }
    return doc;
  } },
]);
