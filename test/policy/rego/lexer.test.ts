import { describe, expect, it } from 'vitest';
import { tokenize } from '../../../src/policy/rego/lexer.js';
import { regoErrorOf } from './helpers.js';

describe('lexer', () => {
  it('tokenises identifiers, numbers, strings, raw strings and operators with positions', () => {
    const toks = tokenize('x := 12.5e3 + "a\\nb"\ny = `raw\nline` # comment\nz != 0', 'm.rego');
    expect(toks.map((t) => [t.kind, t.text])).toEqual([
      ['ident', 'x'],
      ['op', ':='],
      ['number', '12.5e3'],
      ['op', '+'],
      ['string', 'a\nb'],
      ['ident', 'y'],
      ['op', '='],
      ['rawstring', 'raw\nline'],
      ['ident', 'z'],
      ['op', '!='],
      ['number', '0'],
      ['eof', ''],
    ]);
    const z = toks.find((t) => t.text === 'z')!;
    expect([z.row, z.col, z.nl]).toEqual([4, 1, true]);
    expect(toks[1]!.ws).toBe(true);
  });

  it('decodes unicode escapes and rejects bad escapes with a location', () => {
    expect(tokenize('"\\u00e9"', 'm')[0]!.text).toBe('é');
    const e = regoErrorOf(() => tokenize('x := "a\\qb"', 'm.rego'));
    expect(e.errors[0]!.code).toBe('rego_parse_error');
    expect(e.message).toMatch(/^m\.rego:1:8: rego_parse_error: invalid escape/);
  });

  it('reports unterminated strings and illegal characters at their position', () => {
    expect(regoErrorOf(() => tokenize('\n  "abc', 'f.rego')).message).toMatch(/^f\.rego:2:3: .*non-terminated string/);
    expect(regoErrorOf(() => tokenize('x := 1 ^ 2', 'f.rego')).message).toMatch(/^f\.rego:1:8: .*illegal token/);
    expect(regoErrorOf(() => tokenize('x := 01', 'f.rego')).message).toMatch(/leading zero/);
  });
});
