/**
 * Reading a Rego source around AST positions: literal text (strings, raw strings, numbers) and where
 * a construct ends (brackets balanced, strings and comments skipped).
 */
import type { Pos } from './writer.js';

export class Source {
  readonly lines: string[];

  constructor(readonly text: string) {
    this.lines = text.split('\n');
  }

  charAt(p: Pos): string {
    return this.lines[p.row - 1]?.[p.col - 1] ?? '';
  }

  /** The literal at `p`: a "string" (escapes kept), a `raw string`, or a number; undefined otherwise. */
  literal(p: Pos): string | undefined {
    const line = this.lines[p.row - 1];
    if (line === undefined) return undefined;
    const i = p.col - 1;
    const c = line[i];
    if (c === '"') {
      let j = i + 1;
      while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      return line.slice(i, j + 1);
    }
    if (c === '`') {
      const rest = this.lines
        .slice(p.row - 1)
        .join('\n')
        .slice(i);
      const end = rest.indexOf('`', 1);
      return end < 0 ? undefined : rest.slice(0, end + 1);
    }
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(line.slice(i));
    return m ? m[0] : undefined;
  }

  /** Offset of a position in the text. */
  offset(p: Pos): number {
    let off = 0;
    for (let r = 1; r < p.row; r++) off += (this.lines[r - 1]?.length ?? 0) + 1;
    return off + p.col - 1;
  }

  /**
   * The row where a construct starting at `p` ends: brackets balanced, and at depth 0 it stops at
   * a newline, a `;`, a `,`, a closing bracket, or (for heads) before ` if`/`else`/a body's `{`.
   */
  endRow(p: Pos, opts: { head?: boolean } = {}): number {
    const src = this.text;
    let depth = 0;
    let assign = false;
    let row = p.row;
    let lastRow = p.row;
    for (let i = this.offset(p); i < src.length; i++) {
      const ch = src[i]!;
      if (ch === '\n') {
        if (depth === 0) return lastRow;
        row++;
        continue;
      }
      if (ch === '#') {
        while (i < src.length && src[i] !== '\n') i++;
        i--;
        continue;
      }
      if (ch === '"') {
        i++;
        while (i < src.length && src[i] !== '"' && src[i] !== '\n') i += src[i] === '\\' ? 2 : 1;
        lastRow = row;
        continue;
      }
      if (ch === '`') {
        i++;
        while (i < src.length && src[i] !== '`') {
          if (src[i] === '\n') row++;
          i++;
        }
        lastRow = row;
        continue;
      }
      if (depth === 0 && opts.head) {
        const rest = src.slice(i, i + 6);
        if (/^\s(if|else)\b/.test(rest)) return lastRow;
        if (ch === '{' && !assign) return lastRow;
        if (src.startsWith(':=', i) || (ch === '=' && src[i + 1] !== '=' && !'!<>=:'.includes(src[i - 1] ?? ''))) assign = true;
      }
      if ('([{'.includes(ch)) depth++;
      else if (')]}'.includes(ch)) {
        if (depth === 0) return lastRow;
        depth--;
      } else if (depth === 0 && !opts.head && (ch === ';' || ch === ',')) return lastRow;
      if (ch !== ' ' && ch !== '\t' && ch !== '\r') lastRow = row;
    }
    return lastRow;
  }
}
