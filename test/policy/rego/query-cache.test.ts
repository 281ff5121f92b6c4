import { describe, expect, it } from 'vitest';
import { evaluate, evaluateRaw } from '../../../src/policy/rego/index.js';
import { policy, regoErrorOf } from './helpers.js';

const m = 'package t\nimport rego.v1\nallow if input.n > 1\nbig := input.n * 1000000000000000000';

describe('compiled query cache', () => {
  it('compiles a query text once per policy and reuses it', () => {
    const p = policy(m);
    const first = evaluateRaw(p, 'data.t.allow', { input: { n: 2 } });
    const second = evaluateRaw(p, 'data.t.allow', { input: { n: 2 } });
    expect(second.exprs).toBe(first.exprs);
    expect(evaluateRaw(p, 'data.t.big', { input: { n: 2 } }).exprs).not.toBe(first.exprs);
    expect(evaluateRaw(policy(m), 'data.t.allow', { input: { n: 2 } }).exprs).not.toBe(first.exprs);
  });

  it('gives each evaluation of a cached query its own input and bindings', () => {
    const p = policy(m);
    const q = 'x := input.n; x > 1';
    expect(evaluate(p, q, { input: { n: 5 } }).results.map((r) => r.bindings)).toEqual([{ x: 5 }]);
    expect(evaluate(p, q, { input: { n: 0 } }).results).toEqual([]);
    expect(evaluate(p, q, { input: { n: 7 } }).results[0]!.expressions.map((e) => e.value)).toEqual([true, true]);
    expect(evaluate(p, 'data.t.allow', { input: { n: 0 } }).results).toEqual([]);
    expect(evaluate(p, 'data.t.allow', { input: { n: 3 } }).results[0]!.expressions[0]!.value).toBe(true);
  });

  it('does not cache a query that fails to compile', () => {
    const p = policy(m);
    expect(regoErrorOf(() => evaluate(p, 'y := z')).message).toMatch(/var z is unsafe/);
    expect(regoErrorOf(() => evaluate(p, 'y := z')).message).toMatch(/var z is unsafe/);
  });
});

describe('evaluate() JSON values', () => {
  it('keeps integers beyond 2^53 exact as bigint and smaller ones as numbers', () => {
    const p = policy(m);
    const v = evaluate(p, 'data.t.big', { input: { n: 12345 } }).results[0]!.expressions[0]!.value;
    expect(v).toBe(12345000000000000000000n);
    const small = evaluate(p, '[units.parse_bytes("1KiB"), 9007199254740991, -9007199254740992]').results[0]!.expressions[0]!.value;
    expect(small).toEqual([1024, 9007199254740991, -9007199254740992n]);
  });

  it('keeps a "__proto__" key as data', () => {
    const v = evaluate(policy(m), '{"__proto__": 1, "a": 2}').results[0]!.expressions[0]!.value as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });
});
