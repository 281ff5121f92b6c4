// regex.template_match: a template whose delimited parts are regular expressions and whose other
// parts are literal text (OPA's gorilla/mux-style templates).
import { BuiltinError } from '../registry.js';

/** Go's regexp.QuoteMeta. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, (c) => `\\${c}`);
}

/** The anchored Go regex of a template, e.g. "urn:{.*}" with "{", "}" → "^urn:.*$". */
export function templateRegex(name: string, tpl: string, start: string, end: string): string {
  if ([...start].length !== 1) throw new BuiltinError(`${name}: start delimiter has to be exactly one character long but is ${[...start].length} long`);
  if ([...end].length !== 1) throw new BuiltinError(`${name}: end delimiter has to be exactly one character long but is ${[...end].length} long`);
  const chars = [...tpl];
  let level = 0;
  let open = 0;
  let out = '^';
  let lastEnd = 0;
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === start) {
      if (++level === 1) open = i;
    } else if (chars[i] === end) {
      level--;
      if (level < 0) break;
      if (level === 0) {
        out += quoteMeta(chars.slice(lastEnd, open).join('')) + chars.slice(open + 1, i).join('');
        lastEnd = i + 1;
      }
    }
  }
  if (level !== 0) throw new BuiltinError(`${name}: unbalanced braces in ${JSON.stringify(tpl)}`);
  return `${out + quoteMeta(chars.slice(lastEnd).join(''))}$`;
}
