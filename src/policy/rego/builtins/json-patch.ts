/** json.patch: RFC 6902 over Rego values (string or array paths, sets addressed by member). */
import { getIndex, RObject, RSet, type Value, valueEquals } from '../value.js';
import { argArray, registerBuiltins } from './registry.js';

class PatchFail extends Error {}
const fail = (): never => {
  throw new PatchFail();
};
/** The value, or a patch failure when it is absent (null is a value). */
function must<T>(x: T | undefined): T {
  return x === undefined ? fail() : x;
}

/** Path → segments; string paths are JSON pointers, arrays are taken as is. */
function segments(p: Value | undefined): Value[] {
  if (typeof p === 'string') {
    if (p === '') return [];
    if (!p.startsWith('/')) fail();
    return p
      .slice(1)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
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
  let cur = must(doc);
  for (const seg of segs) {
    let next: Value | undefined;
    if (Array.isArray(cur)) next = cur[arrayIndex(seg, cur.length, false)];
    else if (cur instanceof RSet) next = member(cur, seg);
    else next = getIndex(cur, seg);
    cur = must(next);
  }
  return cur;
}

/** Copy-on-write update of the parent of the last segment. */
function update(doc: Value | undefined, segs: Value[], op: (parent: Value, last: Value) => Value): Value {
  if (doc === undefined) return fail();
  const [seg, ...rest] = segs;
  if (rest.length === 0) return op(doc, seg!);
  if (doc instanceof RSet) {
    if (!doc.has(seg!)) fail();
    const updated = update(seg!, rest, op);
    return new RSet([...doc.values().filter((x) => !valueEquals(x, seg!)), updated]);
  }
  if (Array.isArray(doc)) {
    const i = arrayIndex(seg!, doc.length, false);
    const out = doc.slice();
    out[i] = update(doc[i], rest, op);
    return out;
  }
  if (!(doc instanceof RObject)) return fail();
  const child = must(doc.get(seg!));
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
  const path = segments(must(p.getStr('path')));
  const value = p.getStr('value');
  const from = (): Value[] => segments(must(p.getStr('from')));
  switch (op) {
    case 'add':
      return add(doc, path, must(value));
    case 'remove':
      return remove(doc, path);
    case 'replace': {
      const old = getAt(doc, path);
      const v = must(value);
      for (let i = 1; i < path.length; i++) if (getAt(doc, path.slice(0, i)) instanceof RSet) fail();
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
      return valueEquals(getAt(doc, path), must(value)) ? doc : fail();
    default:
      return fail();
  }
}

registerBuiltins('json-patch', [
  {
    name: 'json.patch',
    arity: 2,
    fn: (args) => {
      const patches = argArray(args, 1, 'json.patch');
      let doc: Value | undefined = args[0]!;
      try {
        for (const p of patches) doc = applyOp(doc, p);
      } catch (e) {
        if (e instanceof PatchFail) return undefined;
        throw e;
      }
      return doc;
    },
  },
]);
