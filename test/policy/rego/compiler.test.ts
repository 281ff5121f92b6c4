import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/policy/rego/index.js';
import { regoErrorOf } from './helpers.js';

const errorsOf = (text: string) => regoErrorOf(() => compile([{ path: 'pol.rego', text }])).errors;
const first = (text: string) => {
  const e = errorsOf(text)[0]!;
  return `${e.location!.file}:${e.location!.row}:${e.location!.col}: ${e.code}: ${e.message}`;
};

describe('compiler checks', () => {
  it('unsafe variables', () => {
    expect(first('package a\np if { y > 1 }')).toBe('pol.rego:2:8: rego_unsafe_var_error: var y is unsafe');
    expect(first('package a\np[x] if { true }')).toMatch(/^pol\.rego:2:\d+: rego_unsafe_var_error: var x is unsafe/);
    expect(first('package a\np if { not q[x] }\nq := {}')).toMatch(/^pol\.rego:2:8: rego_unsafe_var_error: var x is unsafe/);
  });

  it('reports only the root unsafe variables, each once', () => {
    const messages = (text: string) =>
      errorsOf(text)
        .filter((e) => e.code === 'rego_unsafe_var_error')
        .map((e) => `${e.location!.row}: ${e.message}`);
    expect(messages('package a\nimport rego.v1\ndeny contains msg if { msg := concat("", [y]) }')).toEqual(['3: var y is unsafe']);
    expect(messages('package a\nimport rego.v1\ndeny contains msg if {\n  msg := concat("", [y])\n}')).toEqual(['4: var y is unsafe']);
    expect(messages('package a\nimport rego.v1\nf(a) := b if {\n  b := a + c\n  c := d\n}')).toEqual(['5: var d is unsafe']);
    expect(messages('package a\nimport rego.v1\nf(a) := b if {\n  b := a + c\n  c = d\n}')).toEqual(['4: var c is unsafe']);
    expect(messages('package a\nimport rego.v1\nh if { x = y }')).toEqual(['3: var x is unsafe', '3: var y is unsafe']);
    expect(messages('package a\nimport rego.v1\ng if {\n  x = z + 1\n  z = x + 1\n}')).toEqual(['4: var z is unsafe', '5: var x is unsafe']);
    expect(messages('package a\nimport rego.v1\np[x] := y if { y := 1 }')).toEqual(['3: var x is unsafe']);
  });

  it('recursion', () => {
    expect(first('package a\np if q\nq if p')).toBe('pol.rego:2:1: rego_recursion_error: rule data.a.p is recursive: data.a.p -> data.a.q -> data.a.p');
    expect(first('package a\nf(x) := f(x)')).toMatch(/^pol\.rego:2:1: rego_recursion_error: rule data\.a\.f is recursive/);
  });

  it('conflicting rule kinds', () => {
    expect(first('package a\np := 1\np contains 2 if true')).toBe('pol.rego:3:1: rego_type_error: conflicting rules data.a.p found');
    expect(first('package a\nf(x) := 1\nf(x, y) := 2')).toMatch(/^pol\.rego:3:1: rego_type_error: conflicting rules data\.a\.f found/);
    expect(first('package a\ndefault p := 1\ndefault p := 2')).toMatch(/^pol\.rego:3:1: rego_type_error: multiple default rules/);
  });

  it('unknown functions and wrong arity', () => {
    expect(first('package a\np := nope(1)')).toBe('pol.rego:2:6: rego_type_error: undefined function nope');
    expect(first('package a\np := count(1, 2, 3)')).toBe('pol.rego:2:6: rego_type_error: count: arity mismatch: have 3 arguments, want 1');
    expect(first('package a\nf(x) := x\np := f(1, 2)')).toMatch(/^pol\.rego:3:6: rego_type_error: f: arity mismatch/);
    expect(first('package a\nimport rego.v1\np := any([true])')).toMatch(/deprecated built-in function calls in expression: any/);
  });

  it('builtin calls with constant arguments of the wrong type', () => {
    expect(first('package a\np := concat(",", "ab")')).toBe('pol.rego:2:6: rego_type_error: concat: operand 2 must be one of {array, set} but got string');
    expect(() => compile([{ path: 'ok.rego', text: 'package a\np := concat(",", input.x)' }])).not.toThrow();
  });

  it('duplicate imports', () => {
    expect(first('package a\nimport data.x\nimport data.y as x\np := 1')).toBe('pol.rego:3:1: rego_compile_error: import must not shadow import data.x'); // opa check's wording
    expect(first('package a\nimport rego.v1\nimport future.keywords.in')).toMatch(
      /^pol\.rego:3:1: rego_compile_error: import future\.keywords\.in shadows import rego\.v1/,
    );
    expect(first('package a\nimport foo.bar')).toMatch(/^pol\.rego:2:1: rego_parse_error: unexpected import path/);
  });

  it(':= redeclaration and shadowing', () => {
    expect(first('package a\np if { x := 1; x := 2 }')).toBe('pol.rego:2:16: rego_compile_error: var x assigned above');
    expect(first('package a\np if { x = 1; x := 2 }')).toBe('pol.rego:2:15: rego_compile_error: var x referenced above');
    expect(first('package a\nf(x) := y if { x := 1; y := 2 }')).toMatch(/var x assigned above/);
    expect(first('package a\nimport rego.v1\np if { input := 1 }')).toMatch(/variables must not shadow input/);
  });

  it('static match errors between literals', () => {
    expect(first('package a\np if { [x, y] = [1, 2, 3] }')).toMatch(/^pol\.rego:2:8: rego_type_error: match error: mismatch in number of array elements/);
  });

  it('reports every error at once, sorted by position', () => {
    const errs = errorsOf('package a\np if { y > 1 }\nq := nope(1)\nr if { z }');
    expect(errs.map((e) => `${e.location!.row}:${e.code}`)).toEqual(['2:rego_unsafe_var_error', '3:rego_type_error', '4:rego_unsafe_var_error']);
  });

  it('reorders bodies so variables are bound before use', () => {
    const p = compile([{ path: 'a.rego', text: 'package a\np := y if { y > 1; y = x * 2; x = input.n }' }]);
    expect(p.compiled.rules[0]!.body.map((e) => e.text)).toEqual(['x = input.n', 'y = x * 2', 'y > 1']);
  });
});
