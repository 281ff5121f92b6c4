/** String builtins (sprintf lives in sprintf.ts). */
import { isNumber, RObject, RSet, toBigInt, typeName, type Value } from '../value.js';
import { argArrayOrSet, argInt, argNumber, argObject, argString, type BuiltinDef, BuiltinError, type BuiltinFn, charge, registerBuiltins } from './registry.js';

const s1 = (name: string, f: (s: string) => Value): BuiltinDef => ({ name, arity: 1, fn: (args) => f(argString(args, 0, name)) });
const s2 = (name: string, f: (a: string, b: string) => Value): BuiltinDef => ({
  name,
  arity: 2,
  fn: (args) => f(argString(args, 0, name), argString(args, 1, name)),
});

const concat: BuiltinFn = (args, bctx) => {
  const delim = argString(args, 0, 'concat');
  const xs = argArrayOrSet(args, 1, 'concat');
  let size = delim.length * Math.max(0, xs.length - 1);
  for (const x of xs) {
    if (typeof x !== 'string') throw new BuiltinError(`concat: operand 2 must be one of {array[string], set[string]} but got ${typeName(x)} element`, 'type');
    size += x.length;
  }
  charge(bctx, size, 'concat');
  return (xs as string[]).join(delim);
};

const formatInt: BuiltinFn = (args) => {
  const n = argNumber(args, 0, 'format_int');
  const base = argInt(args, 1, 'format_int');
  if (![2, 8, 10, 16].includes(base)) throw new BuiltinError(`format_int: operand 2 must be one of {2, 8, 10, 16}`, 'type');
  const i = toBigInt(n) ?? BigInt(Math.trunc(n as number));
  return i.toString(base);
};

/** Code-point aware helpers. */
const cps = (s: string): string[] => [...s];

/**
 * Go's strings.ToLower/ToUpper: each code point mapped on its own (no final-sigma rule); a code point
 * whose full mapping is several code points keeps its simple mapping (İ → i) or stays as it is (ß).
 */
function goCase(s: string, dir: 'lower' | 'upper'): string {
  let out = '';
  for (const c of s) {
    const m = dir === 'lower' ? c.toLowerCase() : c.toUpperCase();
    out += [...m].length === 1 ? m : c === '\u0130' ? 'i' : c;
  }
  return out;
}

function indexOf(s: string, sub: string): number {
  if (sub === '') throw new BuiltinError('indexof: empty search character'); // OPA's answer
  if (s === '') return -1;
  const i = s.indexOf(sub);
  return i < 0 ? -1 : cps(s.slice(0, i)).length;
}

function indexOfN(s: string, sub: string): Value[] {
  const out: Value[] = [];
  if (sub === '') return out;
  for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) out.push(cps(s.slice(0, i)).length);
  return out;
}

const substring: BuiltinFn = (args) => {
  const s = cps(argString(args, 0, 'substring'));
  const start = argInt(args, 1, 'substring');
  const len = argInt(args, 2, 'substring');
  if (start < 0) throw new BuiltinError('substring: negative offset');
  if (start >= s.length) return '';
  return (len < 0 ? s.slice(start) : s.slice(start, start + len)).join('');
};

function trimSet(s: string, cut: string, left: boolean, right: boolean): string {
  const set = new Set(cps(cut));
  const c = cps(s);
  let a = 0;
  let b = c.length;
  if (left) while (a < b && set.has(c[a]!)) a++;
  if (right) while (b > a && set.has(c[b - 1]!)) b--;
  return c.slice(a, b).join('');
}

function stringsOf(v: Value, name: string, i: number): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) || v instanceof RSet) {
    const xs = Array.isArray(v) ? v : v.values();
    return xs.map((x) => {
      if (typeof x !== 'string')
        throw new BuiltinError(`${name}: operand ${i + 1} must be one of {string, array[string], set[string]} but got ${typeName(x)} element`, 'type');
      return x;
    });
  }
  throw new BuiltinError(`${name}: operand ${i + 1} must be one of {string, array[string], set[string]} but got ${typeName(v)}`, 'type');
}

const replaceN: BuiltinFn = (args, bctx) => {
  const patterns = argObject(args, 0, 'strings.replace_n');
  const s = argString(args, 1, 'strings.replace_n');
  const pairs: Array<[string, string]> = [];
  for (const [k, v] of patterns.entries()) {
    if (typeof k !== 'string' || typeof v !== 'string') throw new BuiltinError('strings.replace_n: operand 1 must be object[string: string]', 'type');
    pairs.push([k, v]);
  }
  // at most one replacement per input position (and one more at the end)
  charge(bctx, s.length + (s.length + 1) * Math.max(0, ...pairs.map(([, v]) => v.length)), 'strings.replace_n');
  if (pairs.some(([k]) => k === '')) return replaceWithEmpty(pairs, s);
  // Go's strings.NewReplacer: leftmost match, patterns tried in argument order
  let out = '';
  let i = 0;
  while (i < s.length) {
    const hit = pairs.find(([k]) => s.startsWith(k, i));
    if (hit) {
      out += hit[1];
      i += hit[0].length;
    } else out += s[i++];
  }
  return out;
};

/**
 * Go's generic replacer with an empty pattern (which sorts first, so it has priority): the empty
 * replacement goes before every byte and at the end; Go works on bytes, so inside a multi-byte
 * character the split bytes decode as U+FFFD, as OPA answers.
 */
function replaceWithEmpty(pairs: Array<[string, string]>, s: string): string {
  const empty = Buffer.from(pairs.find(([k]) => k === '')![1]);
  const rest = pairs.filter(([k]) => k !== '').map(([k, v]) => [Buffer.from(k), Buffer.from(v)] as const);
  const b = Buffer.from(s);
  const out: Buffer[] = [];
  for (let i = 0; i <= b.length; ) {
    out.push(empty);
    const hit = rest.find(([k]) => i + k.length <= b.length && b.subarray(i, i + k.length).equals(k));
    if (hit) {
      out.push(hit[1]);
      i += hit[0].length;
    } else {
      if (i < b.length) out.push(b.subarray(i, i + 1));
      i++;
    }
  }
  return Buffer.concat(out).toString('utf8');
}

registerBuiltins('strings', [
  { name: 'concat', arity: 2, fn: concat },
  s2('contains', (a, b) => a.includes(b)),
  s2('startswith', (a, b) => a.startsWith(b)),
  s2('endswith', (a, b) => a.endsWith(b)),
  { name: 'format_int', arity: 2, fn: formatInt },
  s2('indexof', indexOf),
  s2('indexof_n', indexOfN),
  s1('lower', (s) => goCase(s, 'lower')),
  s1('upper', (s) => goCase(s, 'upper')),
  {
    name: 'replace',
    arity: 3,
    fn: (args, bctx) => {
      const [s, old, rep] = [argString(args, 0, 'replace'), argString(args, 1, 'replace'), argString(args, 2, 'replace')];
      const parts = s.split(old);
      charge(bctx, s.length + (parts.length - 1) * rep.length, 'replace');
      return parts.join(rep);
    },
  },
  {
    name: 'split',
    arity: 2,
    fn: (args, bctx) => {
      const [s, d] = [argString(args, 0, 'split'), argString(args, 1, 'split')];
      charge(bctx, s.length, 'split');
      return d === '' ? cps(s) : s.split(d);
    },
  },
  // n > 0: the first n parts, n < 0: the last -n parts, 0: none (OPA's strings.split_n)
  {
    name: 'strings.split_n',
    arity: 3,
    fn: (a, bctx) => {
      charge(bctx, argString(a, 0, 'strings.split_n').length, 'strings.split_n');
      const [s, d, n] = [argString(a, 0, 'strings.split_n'), argString(a, 1, 'strings.split_n'), argInt(a, 2, 'strings.split_n')];
      const parts = d === '' ? cps(s) : s.split(d);
      return n >= 0 ? parts.slice(0, n) : parts.slice(Math.max(0, parts.length + n));
    },
  },
  { name: 'substring', arity: 3, fn: substring },
  s2('trim', (s, c) => trimSet(s, c, true, true)),
  s2('trim_left', (s, c) => trimSet(s, c, true, false)),
  s2('trim_right', (s, c) => trimSet(s, c, false, true)),
  s2('trim_prefix', (s, p) => (s.startsWith(p) ? s.slice(p.length) : s)),
  s2('trim_suffix', (s, p) => (p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s)),
  s1('trim_space', (s) => s.replace(/^[\s\u0085\u00a0]+|[\s\u0085\u00a0]+$/gu, '')),
  { name: 'strings.replace_n', arity: 2, fn: replaceN },
  s1('strings.reverse', (s) => cps(s).reverse().join('')),
  s2('strings.count', (s, sub) => (sub === '' ? cps(s).length + 1 : s.split(sub).length - 1)),
  {
    name: 'strings.any_prefix_match',
    arity: 2,
    fn: (args) => {
      const xs = stringsOf(args[0]!, 'strings.any_prefix_match', 0);
      const ps = stringsOf(args[1]!, 'strings.any_prefix_match', 1);
      return xs.some((x) => ps.some((p) => x.startsWith(p)));
    },
  },
  {
    name: 'strings.any_suffix_match',
    arity: 2,
    fn: (args) => {
      const xs = stringsOf(args[0]!, 'strings.any_suffix_match', 0);
      const ps = stringsOf(args[1]!, 'strings.any_suffix_match', 1);
      return xs.some((x) => ps.some((p) => x.endsWith(p)));
    },
  },
]);

export { isNumber, RObject };
