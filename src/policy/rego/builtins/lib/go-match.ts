// Go's regexp iteration rules over a translated pattern: FindAll (no empty match right after a
// match), ReplaceAllString with $name / ${name} templates, and Split.
import type { GoRegex } from './go-regex.js';

const width = (s: string, i: number): number => (s.codePointAt(i)! > 0xffff ? 2 : 1);

function execAt(g: GoRegex, s: string, pos: number): RegExpExecArray | null {
  g.re.lastIndex = pos;
  return g.re.exec(s);
}

/** Go's FindAllStringSubmatch(s, n): n < 0 means all. Unmatched groups are undefined. */
export function findAll(g: GoRegex, s: string, n: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  let pos = 0;
  let prevEnd = -1;
  while ((n < 0 || out.length < n) && pos <= s.length) {
    const m = execAt(g, s, pos);
    if (!m) break;
    const end = m.index + m[0].length;
    let accept = true;
    if (end === pos) {
      if (m.index === prevEnd) accept = false; // empty match abutting the previous match
      pos += pos < s.length ? width(s, pos) : 1;
    } else {
      pos = end;
    }
    prevEnd = end;
    if (accept) out.push(m);
  }
  return out;
}

/** Go's Regexp.Expand of a template ($1, $name, ${name}, $$) against one match. */
export function expandTemplate(g: GoRegex, template: string, m: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '$') {
      out += c;
      continue;
    }
    if (template[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    const mm = /^\{([A-Za-z0-9_]+)\}|^([A-Za-z0-9_]+)/.exec(template.slice(i + 1));
    if (!mm) {
      out += '$'; // malformed: the $ is raw text
      continue;
    }
    const name = mm[1] ?? mm[2]!;
    i += mm[0].length;
    let idx = -1;
    if (/^\d+$/.test(name)) idx = Number(name);
    else idx = g.names.indexOf(name);
    if (idx >= 0 && idx < m.length) out += m[idx] ?? '';
  }
  return out;
}

/** Go's ReplaceAllString(src, repl). */
export function replaceAll(g: GoRegex, src: string, repl: string): string {
  let out = '';
  let lastEnd = 0;
  let pos = 0;
  while (pos <= src.length) {
    const m = execAt(g, src, pos);
    if (!m) break;
    const end = m.index + m[0].length;
    out += src.slice(lastEnd, m.index);
    if (end > lastEnd || m.index === 0) out += expandTemplate(g, repl, m);
    lastEnd = end;
    const w = pos < src.length ? width(src, pos) : 1;
    if (pos + w > end) pos += w;
    else if (pos + 1 > end) pos++;
    else pos = end;
  }
  return out + src.slice(lastEnd);
}

/** Go's Split(s, -1). */
export function split(g: GoRegex, expr: string, s: string): string[] {
  if (expr.length > 0 && s.length === 0) return [''];
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of findAll(g, s, -1)) {
    end = m.index;
    if (m.index + m[0].length !== 0) out.push(s.slice(beg, end));
    beg = m.index + m[0].length;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}
