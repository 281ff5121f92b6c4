/**
 * JSON text in and out for policy data: a strict parser that reports line:col and keeps integers
 * beyond 2^53 exact (as bigint), and a serializer that prints bigints as plain integers.
 */
import { PolicyError } from './errors.js';

/** Raised for malformed JSON text; `row`/`col` are 1-based. */
class JsonSyntax extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/**
 * Parse JSON text; integers outside the safe range become bigint.
 * Throws PolicyError POLICY_DATA_SYNTAX naming `file:line:col`.
 * @example parseJsonText('{"n": 12345678901234567890}', 'data.json') // { n: 12345678901234567890n }
 */
export function parseJsonText(text: string, file: string): unknown {
  const p = new JsonParser(text);
  try {
    p.ws();
    const value = p.value(0);
    p.ws();
    if (p.pos < text.length) throw new JsonSyntax(`unexpected ${describe(text[p.pos]!)} after the JSON value`, p.pos);
    return value;
  } catch (err) {
    if (!(err instanceof JsonSyntax)) throw err;
    const { row, col } = lineCol(text, err.offset);
    throw new PolicyError('POLICY_DATA_SYNTAX', `invalid JSON: ${err.message}`, {
      kind: 'usage',
      location: { file, row, col },
      hint: 'fix the JSON syntax at that position',
    });
  }
}

/** 1-based line and column of a character offset. */
export function lineCol(text: string, offset: number): { row: number; col: number } {
  let row = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      row++;
      start = i + 1;
    }
  }
  return { row, col: offset - start + 1 };
}

function describe(ch: string | undefined): string {
  return ch === undefined ? 'end of input' : `character ${JSON.stringify(ch)}`;
}

const MAX_DEPTH = 10_000;

class JsonParser {
  pos = 0;
  constructor(private readonly s: string) {}

  ws(): void {
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      this.pos++;
    }
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) throw new JsonSyntax('nesting too deep', this.pos);
    const c = this.s[this.pos];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.s.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    throw new JsonSyntax(`unexpected ${describe(c)}`, this.pos);
  }

  private expect(ch: string): void {
    if (this.s[this.pos] !== ch) throw new JsonSyntax(`expected ${JSON.stringify(ch)} but found ${describe(this.s[this.pos])}`, this.pos);
    this.pos++;
  }

  private object(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++;
    this.ws();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.pos] !== '"') throw new JsonSyntax(`expected a string key but found ${describe(this.s[this.pos])}`, this.pos);
      const key = this.string();
      this.ws();
      this.expect(':');
      this.ws();
      Object.defineProperty(out, key, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true });
      this.ws();
      if (this.s[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect('}');
      return out;
    }
  }

  private array(depth: number): unknown[] {
    const out: unknown[] = [];
    this.pos++;
    this.ws();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value(depth + 1));
      this.ws();
      if (this.s[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect(']');
      return out;
    }
  }

  private string(): string {
    const start = this.pos;
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.s[this.pos];
      if (c === undefined) throw new JsonSyntax('unterminated string', start);
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c.charCodeAt(0) < 0x20) throw new JsonSyntax('control character in string', this.pos);
      if (c === '\\') {
        out += this.escape();
        continue;
      }
      out += c;
      this.pos++;
    }
  }

  private escape(): string {
    const e = this.s[this.pos + 1];
    const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
    if (e !== undefined && simple[e] !== undefined) {
      this.pos += 2;
      return simple[e]!;
    }
    if (e === 'u') {
      const hex = this.s.slice(this.pos + 2, this.pos + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new JsonSyntax('invalid \\u escape', this.pos);
      this.pos += 6;
      return String.fromCharCode(parseInt(hex, 16));
    }
    throw new JsonSyntax(`invalid escape ${describe(e)}`, this.pos);
  }

  private number(): number | bigint {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.s.slice(this.pos, this.pos + 400));
    if (!m) throw new JsonSyntax('invalid number', this.pos);
    this.pos += m[0].length;
    if (m[2] === undefined && m[3] === undefined) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    }
    return Number(m[0]);
  }
}

/**
 * JSON.stringify that prints bigint as an exact integer and sorts nothing (callers order sets first).
 * @example stringifyJson({ n: 2n ** 64n }, 2)
 */
export function stringifyJson(value: unknown, indent = 0): string {
  const marks: string[] = [];
  const text = JSON.stringify(
    value,
    (_k, v: unknown) => {
      if (typeof v !== 'bigint') return v;
      marks.push(v.toString());
      return `\u0000bigint${marks.length - 1}\u0000`;
    },
    indent,
  );
  if (text === undefined) return 'null';
  if (marks.length === 0) return text;
  return text.replace(/"\\u0000bigint(\d+)\\u0000"/g, (_m, i: string) => marks[Number(i)]!);
}
