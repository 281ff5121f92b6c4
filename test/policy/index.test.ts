import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPolicies, createRegoEvaluator, dataRef, entrypointPath, evalPolicyQuery, runPolicyTests } from '../../src/policy/index.js';

const fixtures = join(import.meta.dirname, '../../fixtures/policy');

describe('policy front door', () => {
  it('evalPolicyQuery answers in the shape of opa eval', () => {
    const ok = evalPolicyQuery({ query: 'data.example.roles', dataPaths: ['basic'], cwd: fixtures });
    expect(ok).toEqual({
      exitCode: 0,
      output: { result: [{ expressions: [{ value: ['admin', 'operator', 'viewer'], text: 'data.example.roles', location: { row: 1, col: 1 } }] }] },
    });
    expect(evalPolicyQuery({ query: 'data.example.nope', dataPaths: ['basic'], cwd: fixtures })).toEqual({ exitCode: 0, output: {} });
    const bad = evalPolicyQuery({ query: 'data.unsafe.deny', dataPaths: ['broken/unsafe.rego'], cwd: fixtures });
    expect(bad.exitCode).toBe(2);
    expect(bad.output.errors?.[0]?.code).toBe('rego_unsafe_var_error');
  });

  it('keeps a "__proto__" key as data', () => {
    const v = evalPolicyQuery({ query: '{"__proto__": {"polluted": true}}', dataPaths: [] }).output.result?.[0]?.expressions[0]?.value as object;
    expect(Object.hasOwn(v, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });

  it('passes input given directly and keeps big integers exact', () => {
    const r = evalPolicyQuery({ query: 'input.n + 1', dataPaths: [], input: { n: 2n ** 70n } });
    expect(r.output.result?.[0]?.expressions[0]?.value).toBe(2n ** 70n + 1n);
  });

  it('runPolicyTests counts pass, fail, error and skip', () => {
    const report = runPolicyTests({ paths: ['tests'], cwd: fixtures });
    expect(report.counts).toEqual({ pass: 3, fail: 2, error: 1, skip: 1, total: 7 });
    expect(runPolicyTests({ paths: ['tests'], cwd: fixtures, run: 'override' }).counts.total).toBe(1);
    expect(() => runPolicyTests({ paths: ['tests'], cwd: fixtures, run: '(' })).toThrow(/not a valid regular expression/);
  });

  it('checkPolicies lists errors with locations', () => {
    expect(checkPolicies({ paths: ['basic'], cwd: fixtures })).toEqual({ errors: [], modules: 1 });
    const r = checkPolicies({ paths: ['broken/parse.rego'], cwd: fixtures });
    expect(r.errors[0]).toMatchObject({ code: 'rego_parse_error', location: { file: 'broken/parse.rego' } });
  });

  it('the Rego evaluator decides by entrypoint in either spelling', () => {
    const ev = createRegoEvaluator(['basic'], { cwd: fixtures });
    expect(ev.engine).toBe('rego');
    expect(ev.evaluate('example/allow', { user: { role: 'admin' } })).toBe(true);
    expect(ev.evaluate('data.example.deny', { user: { name: 'x', role: 'viewer' }, action: 'run' })).toEqual(['x may not run']);
    expect(ev.evaluate('example/missing', {})).toBeUndefined();
    expect(ev.entrypoints()).toContain('example/allow');
    expect(entrypointPath('data.a.b')).toEqual(['a', 'b']);
    expect(dataRef(['a-b', 'c'])).toBe('data["a-b"].c');
  });
});
