import { describe, expect, it } from 'vitest';
import { decAdd, decDiv, decMul, decSub } from '../../../src/policy/rego/decimal.js';
import { evaluateRaw, formatJson } from '../../../src/policy/rego/index.js';
import { policy, value } from './helpers.js';

/** Value of rule x of a module, with `input`. */
const withInput = (expr: string, input: unknown): unknown => value(`package t\nimport rego.v1\nx := ${expr}`, 'data.t.x', { input, strict: true });

/** Exact JSON text of rule x. */
const jsonOf = (expr: string, input: unknown = {}): string => {
  const p = policy(`package t\nimport rego.v1\nx := ${expr}`);
  return formatJson(evaluateRaw(p, 'data.t.x', { input }).raw[0]!.expressions[0]!);
};

describe('exact decimal arithmetic', () => {
  it('adds values from input exactly, as literals do', () => {
    expect(withInput('input.a + input.b', { a: 38, b: 3.27 })).toBe(41.27);
    expect(withInput('input.a + input.b == 0.3', { a: 0.1, b: 0.2 })).toBe(true);
    expect(withInput('0.1 + 0.2 == 0.3', {})).toBe(true);
    expect(withInput('sum(input.xs)', { xs: [0.1, 0.2, 0.3] })).toBe(0.6);
    expect(withInput('sum(input.xs) == 0.6', { xs: [0.1, 0.2, 0.3] })).toBe(true);
    expect(withInput('input.a - input.b', { a: 0.3, b: 0.1 })).toBe(0.2);
    expect(withInput('input.a * input.b', { a: 1.1, b: 1.1 })).toBe(1.21);
    expect(withInput('product(input.xs)', { xs: [0.1, 0.2, 3] })).toBe(0.06);
  });

  it('keeps integers beyond 2^53 exact, from literals and from input', () => {
    expect(jsonOf('1e16 + 1')).toBe('10000000000000001');
    expect(jsonOf('input.n + 1', { n: 2n ** 64n })).toBe('18446744073709551617');
    expect(jsonOf('input.n * 3', { n: 9007199254740993n })).toBe('27021597764222979');
    expect(jsonOf('input.n - 0.5', { n: 9007199254740993n })).toMatch(/^9007199254740992/);
  });

  it('divides exactly where the quotient terminates, to float64 precision otherwise', () => {
    expect(withInput('input.a / input.b', { a: 0.3, b: 0.1 })).toBe(3);
    expect(withInput('input.a / input.b', { a: 1, b: 8 })).toBe(0.125);
    expect(jsonOf('1 / 3')).toBe('0.3333333333333333');
    expect(jsonOf('2 / 3')).toBe('0.6666666666666666');
    expect(withInput('round(input.a * 100)', { a: 1.005 })).toBe(101);
  });

  it('compares ints and decimals exactly and sorts mixed numbers', () => {
    expect(withInput('[input.a < input.b, input.b < input.c, input.c == 2.0, 3 > 2.5]', { a: 1.5, b: 2n ** 60n, c: 2 })).toEqual([true, false, true, true]);
    expect(withInput('[9007199254740993 > 9007199254740992.5, 9007199254740993 == 9007199254740992]', {})).toEqual([true, false]);
    expect(jsonOf('sort(input.xs)', { xs: [2.5, 2n ** 64n, -1, 0.1, 3, 1e-7] })).toBe('[-1,1e-7,0.1,2.5,3,18446744073709551616]');
    expect(withInput('{1, 1.0, 2.0} == {1, 2}', {})).toBe(true);
  });

  it('renders numbers in the shortest exact JSON form', () => {
    expect(jsonOf('[input.a + input.b, 2.50, 1.0, 10 / 4, 100 * 0.07]', { a: 38, b: 3.27 })).toBe('[41.27,2.5,1,2.5,7]');
  });

  it('exposes the arithmetic directly', () => {
    expect(decAdd(0.1, 0.2)).toBe(0.3);
    expect(decSub(1, 0.9)).toBe(0.1);
    expect(decMul(0.07, 100)).toBe(7);
    expect(decDiv(10n ** 30n, 10n ** 10n)).toBe(10n ** 20n);
    expect(decAdd(2n ** 70n, 1)).toBe(2n ** 70n + 1n);
  });
});
