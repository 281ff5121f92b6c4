// regex.globs_match: do two "glob-style" regular expressions (only `.` `*` `+` `[...]` `\` are
// special, as in OPA) match a common string? Decided exactly on the product of their automata.

/** A malformed expression for regex.globs_match. */
export class GlobsMatchError extends Error {}

type CharSet = { any: true } | { any: false; ranges: Array<[number, number]> };
interface Token {
  set: CharSet;
  star: boolean;
}

function parseClass(s: string[], i: number): [CharSet, number] {
  const ranges: Array<[number, number]> = [];
  let j = i + 1;
  while (j < s.length && s[j] !== ']') {
    let c = s[j]!;
    if (c === '\\' && j + 1 < s.length) c = s[++j]!;
    let hi = c;
    if (s[j + 1] === '-' && j + 2 < s.length && s[j + 2] !== ']') {
      hi = s[j + 2]!;
      if (hi === '\\' && j + 3 < s.length) hi = s[++j + 2]!;
      j += 2;
    }
    ranges.push([c.codePointAt(0)!, hi.codePointAt(0)!]);
    j++;
  }
  if (j >= s.length) throw new GlobsMatchError('unclosed character class');
  return [{ any: false, ranges }, j + 1];
}

/** Tokens with `+` expanded into one mandatory token followed by a starred copy. */
export function globTokens(expr: string): Token[] {
  const s = [...expr];
  const out: Token[] = [];
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    let set: CharSet;
    if (c === '.') {
      set = { any: true };
      i++;
    } else if (c === '[') {
      [set, i] = parseClass(s, i);
    } else {
      let ch = c;
      if (c === '\\') {
        if (i + 1 >= s.length) throw new GlobsMatchError('trailing backslash');
        ch = s[++i]!;
      } else if (c === '*' || c === '+') {
        throw new GlobsMatchError(`missing argument to repetition operator: ${c}`);
      }
      set = { any: false, ranges: [[ch.codePointAt(0)!, ch.codePointAt(0)!]] };
      i++;
    }
    if (s[i] === '*') {
      out.push({ set, star: true });
      i++;
    } else if (s[i] === '+') {
      out.push({ set, star: false }, { set, star: true });
      i++;
    } else {
      out.push({ set, star: false });
    }
  }
  return out;
}

function intersects(a: CharSet, b: CharSet): boolean {
  if (a.any || b.any) return a.any ? b.any || b.ranges.some(([l, h]) => l <= h) : a.ranges.some(([l, h]) => l <= h);
  return a.ranges.some(([l1, h1]) => b.ranges.some(([l2, h2]) => Math.max(l1, l2) <= Math.min(h1, h2)));
}

/** True when some string matches both expressions (each anchored at both ends). */
export function globsIntersect(x: string, y: string): boolean {
  const a = globTokens(x);
  const b = globTokens(y);
  const seen = new Set<number>();
  const stack: Array<[number, number]> = [[0, 0]];
  const push = (i: number, j: number): void => {
    const k = i * (b.length + 1) + j;
    if (!seen.has(k)) {
      seen.add(k);
      stack.push([i, j]);
    }
  };
  while (stack.length) {
    const [i, j] = stack.pop()!;
    if (i === a.length && j === b.length) return true;
    const ta = a[i];
    const tb = b[j];
    if (ta?.star) push(i + 1, j); // skip a starred token
    if (tb?.star) push(i, j + 1);
    if (ta && tb && intersects(ta.set, tb.set)) push(ta.star ? i : i + 1, tb.star ? j : j + 1);
  }
  return false;
}
