/**
 * The output side of the formatter: a buffer with indentation (tabs), a pending end-of-line comment,
 * and the module's comments consumed in source order as code is written past them (as `opa fmt`).
 */

/** A `#` comment of the source. */
export interface Comment {
  row: number;
  col: number;
  /** The text from `#` on, trailing whitespace trimmed. */
  text: string;
}

/** Where something starts in the source. */
export interface Pos {
  row: number;
  col: number;
}

export class Writer {
  private buf = '';
  level = 0;
  inline = false;
  private beforeEnd: Comment | undefined;
  private delay = false;
  /** Comments not yet written, in source order. */
  comments: Comment[];

  constructor(comments: Comment[]) {
    this.comments = comments;
  }

  write(s: string): void {
    this.buf += s;
  }

  startLine(): void {
    this.inline = true;
    this.buf += '\t'.repeat(this.level);
  }

  endLine(): void {
    this.inline = false;
    if (this.beforeEnd && !this.delay) {
      this.buf += ` ${this.beforeEnd.text}`;
      this.beforeEnd = undefined;
    }
    this.delay = false;
    this.buf += '\n';
  }

  blankLine(): void {
    if (this.inline) this.endLine();
    this.buf += '\n';
  }

  writeLine(s: string): void {
    if (!this.inline) this.startLine();
    this.write(s);
    this.endLine();
  }

  up(): void {
    this.level++;
  }

  down(): void {
    this.level = Math.max(0, this.level - 1);
  }

  delayBeforeEnd(): void {
    this.delay = true;
  }

  /** Start a multi-line sequence: end the line, indent, start the next. */
  startMultilineSeq(): void {
    this.endLine();
    this.up();
    this.startLine();
  }

  /** Write the comments before `at` (on their own lines) and hold one on its row for the line's end. */
  insertComments(at: Pos): void {
    const before: Comment[] = [];
    while (this.comments.length > 0 && this.comments[0]!.row < at.row) before.push(this.comments.shift()!);
    this.writeComments(before);
    if (before.length > 0 && at.row - before[before.length - 1]!.row > 1) this.blankLine();
    if (this.comments.length > 0 && this.comments[0]!.row === at.row) {
      const c = this.comments.shift()!;
      if (this.beforeEnd) this.comments.unshift(c);
      else this.beforeEnd = c;
    }
  }

  writeComments(cs: readonly Comment[]): void {
    let inMetadata = false;
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i]!;
      if (i > 0) {
        const gap = c.row - cs[i - 1]!.row;
        if (gap > 1) {
          this.blankLine();
          inMetadata = false;
        } else if (gap === 1 && inMetadata && isMetadata(c)) this.blankLine();
      }
      if (isMetadata(c)) inMetadata = true;
      this.writeLine(c.text);
    }
  }

  /** The text, with runs of trailing newlines squashed to one. */
  text(): string {
    return this.buf.replace(/\n+$/, '\n');
  }
}

function isMetadata(c: Comment): boolean {
  return /^#\s*METADATA\s*$/.test(c.text);
}

/**
 * Every comment of a Rego source (outside strings), with its position.
 * @example scanComments('a := 1 # one\n') // [{ row: 1, col: 8, text: '# one' }]
 */
export function scanComments(src: string): Comment[] {
  const out: Comment[] = [];
  let row = 1;
  let lineStart = 0;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (ch === '\n') {
      row++;
      lineStart = i + 1;
    } else if (ch === '"') {
      i++;
      while (i < src.length && src[i] !== '"' && src[i] !== '\n') i += src[i] === '\\' ? 2 : 1;
    } else if (ch === '`') {
      i++;
      while (i < src.length && src[i] !== '`') {
        if (src[i] === '\n') {
          row++;
          lineStart = i + 1;
        }
        i++;
      }
    } else if (ch === '#') {
      let j = i;
      while (j < src.length && src[j] !== '\n') j++;
      out.push({ row, col: i - lineStart + 1, text: src.slice(i, j).replace(/\s+$/, '') });
      i = j - 1;
    }
  }
  return out;
}
