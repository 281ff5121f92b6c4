import { describe, expect, it } from 'vitest';
import { parseModule } from '../../../src/policy/rego/index.js';
import { parseQueryText } from '../../../src/policy/rego/parser.js';
import { regoErrorOf } from './helpers.js';

const parse = (text: string) => parseModule({ path: 'm.rego', text });

describe('parser', () => {
  it('parses v1 rules: if, contains, head refs, functions, else, default', () => {
    const m = parse(`package a.b
import rego.v1
default allow := false
allow if input.ok
deny contains msg if { msg := "no" }
limits.cpu.small := 1
f(x) := y if { y := x + 1 } else := 0
`);
    expect(m.package).toEqual(['a', 'b']);
    expect(m.v1).toBe(true);
    expect(m.rules.map((r) => [r.kind, r.isDefault])).toEqual([
      ['complete', true],
      ['complete', false],
      ['multi', false],
      ['complete', false],
      ['function', false],
    ]);
    expect(m.rules[3]!.ref.map((t) => (t.type === 'scalar' ? t.value : '?'))).toEqual(['limits', 'cpu', 'small']);
    expect(m.rules[4]!.elses).toHaveLength(1);
    expect(m.rules[2]!.loc).toEqual({ file: 'm.rego', row: 5, col: 1 });
  });

  it('parses v0 partial sets and objects', () => {
    const m = parse('package a\np[x] { x := 1 }\nq[k] = v { k := "a"; v := 2 }\nr.s');
    expect(m.rules.map((r) => r.kind)).toEqual(['multi', 'complete', 'multi']);
  });

  it('gives operators OPA precedence: in < relations < | < & < +,- < *,/,%', () => {
    const [e] = parseQueryText('1 + 2 * 3 == 7');
    expect(e!.kind === 'term' && e!.term.type === 'call' && e!.term.op).toBe('equal');
    const [m] = parseQueryText('x in {1} | {2}');
    expect(m!.kind === 'term' && m!.term.type === 'call' && m!.term.op).toBe('internal.member_2');
  });

  it('distinguishes comprehensions from arrays and sets', () => {
    const [a] = parseQueryText('x := [y | y := 1]');
    expect(a!.kind === 'assign' && a!.rhs.type).toBe('arraycompr');
    const [s] = parseQueryText('x := {1 | {2}}');
    expect(s!.kind === 'assign' && s!.rhs.type).toBe('setcompr');
    const [o] = parseQueryText('x := {"a": 1 | true}');
    expect(o!.kind === 'assign' && o!.rhs.type).toBe('objectcompr');
  });

  it('reports v1 syntax errors with file:row:col', () => {
    expect(regoErrorOf(() => parse('package a\nimport rego.v1\np { true }')).message).toBe(
      'm.rego:3:3: rego_parse_error: `if` keyword is required before rule body',
    );
    expect(regoErrorOf(() => parse('package a\nimport rego.v1\np.q')).message).toMatch(/^m\.rego:3:1: .*`contains` keyword is required/);
    expect(regoErrorOf(() => parse('package a\nx := - [1]')).message).toMatch(/^m\.rego:2:6: .*unary - can only be used with numeric literals/); // OPA accepts - y, refuses - [1]
    expect(regoErrorOf(() => parseQueryText('[1]]')).message).toMatch(/expecting EOF/);
  });

  it('rejects non-constant defaults and whitespace after a dot', () => {
    expect(regoErrorOf(() => parse('package a\ndefault p := q')).message).toMatch(/m\.rego:2:14: .*invalid `var` in default value/);
    expect(regoErrorOf(() => parse('package a\np := input. x')).message).toMatch(/invalid whitespace between \. and identifier/);
  });

  it('accepts keywords as field names in refs', () => {
    const m = parse('package a\nx := input.if.default.not');
    expect(m.rules).toHaveLength(1);
  });
});
