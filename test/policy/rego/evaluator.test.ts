import { describe, expect, it } from 'vitest';
import { evaluate, evaluateRaw, formatJson } from '../../../src/policy/rego/index.js';
import { policy, regoErrorOf, results, value } from './helpers.js';

describe('evaluator semantics', () => {
  it('complete, partial set, partial object and head-ref rules', () => {
    const m = `package t
import rego.v1
allow if input.n > 1
names contains n if some n in ["b", "a", "b"]
ages[name] := age if some name, age in {"x": 1, "y": 2}
limits.cpu.small := 1
limits.cpu.large := 8
a.b[x] contains y if { some x in ["k"]; y := 3 }`;
    expect(value(m, 'data.t', { input: { n: 2 } })).toEqual({
      a: { b: { k: [3] } },
      ages: { x: 1, y: 2 },
      allow: true,
      limits: { cpu: { large: 8, small: 1 } },
      names: ['a', 'b'],
    });
  });

  it('undefined is not false: defaults, else chains, negation', () => {
    const m = `package t
default d := "dflt"
d := "set" if input.flag
e := 1 if { input.x == 1 } else := 2 if { input.x == 2 } else := 3
f if not input.flag
g := false`;
    expect(value(m, 'data.t.d')).toBe('dflt');
    expect(value(m, 'data.t.d', { input: { flag: true } })).toBe('set');
    expect(value(m, 'data.t.e', { input: { x: 2 } })).toBe(2);
    expect(value(m, 'data.t.e', { input: {} })).toBe(3);
    expect(value(m, 'data.t.f', { input: {} })).toBe(true);
    expect(value(m, 'data.t.f', { input: { flag: true } })).toBeUndefined();
    expect(value(m, 'data.t.g')).toBe(false);
    expect(value(m, 'data.t.missing')).toBeUndefined();
  });

  it('functions with several definitions, and their conflicts', () => {
    const m = `package t
f(x) := "neg" if x < 0
f(x) := "pos" if x > 0
f(0) := "zero"
g(_) := 1
g(_) := 2`;
    expect([-3, 0, 4].map((n) => value(m, `data.t.f(${n})`))).toEqual(['neg', 'zero', 'pos']);
    expect(regoErrorOf(() => value(m, 'data.t.g(1)')).errors[0]!.code).toBe('eval_conflict_error');
  });

  it('conflict errors for complete rules and object keys', () => {
    expect(regoErrorOf(() => value('package t\np := 1\np := 2 if true', 'data.t.p')).message).toMatch(
      /eval_conflict_error: complete rules must not produce multiple outputs/,
    );
    expect(regoErrorOf(() => value('package t\np[k] := v if { some k, v in {"a": 1}; true }\np["a"] := 2', 'data.t.p')).errors[0]!.code).toBe(
      'eval_conflict_error',
    );
  });

  it('comprehensions, every, some-in, unification', () => {
    const m = `package t
import rego.v1
sq := [(x * x) | some x in [1, 2, 3]]
evens := {x | some x in [1, 2, 3, 4]; x % 2 == 0}
idx := {k: v | some k, v in ["a", "b"]}
all_pos if every x in [1, 2] { x > 0 }
none_neg if every x in [] { x < 0 }
pair := [a, b] if [a, {"k": b}] = [1, {"k": 2}]`;
    expect(value(m, 'data.t')).toEqual({ sq: [1, 4, 9], evens: [2, 4], idx: { '0': 'a', '1': 'b' }, all_pos: true, none_neg: true, pair: [1, 2] });
  });

  it('with replaces input, data and functions', () => {
    const m = `package t
import rego.v1
p := input.x + data.base
q := y if { y := p with input.x as 10 with data.base as 5 }
double(x) := x * 2
r := double(4)
s := y if { y := r with double as triple }
triple(x) := x * 3
u := y if { y := count([1, 2]) with count as 99 }`;
    expect(value(m, 'data.t', { input: { x: 1 }, data: { base: 1 } })).toMatchObject({ p: 2, q: 15, r: 8, s: 12, u: 99 });
  });

  it('refs with variables iterate data and input', () => {
    const res = results('package t', 'data.users[i].name = n', { data: { users: [{ name: 'ann' }, { name: 'bob' }] } });
    expect(res.map((r) => r.bindings)).toEqual([
      { i: 0, n: 'ann' },
      { i: 1, n: 'bob' },
    ]);
  });

  it('keeps big integers and decimal sums exact', () => {
    const { raw } = evaluateRaw(policy('package t\nbig := 9007199254740993 * 1000 + 1\nf := 0.1 + 0.2\nd := 7 / 2\ni := 6 / 3'), 'data.t');
    expect(formatJson(raw[0]!.expressions[0]!)).toBe('{"big":9007199254740993001,"d":3.5,"f":0.3,"i":2}');
  });

  it('orders values across types as OPA does and supports composite keys', () => {
    const m = `package t
sorted := sort([{1}, {"a": 1}, [1], "s", 2, true, null])
s := {[1, 2], {"k": {1}}, [1, 2]}
o := {[1]: "arr", {"a"}: "set"}`;
    expect(formatJson(evaluateRaw(policy(m), 'data.t').raw[0]!.expressions[0]!)).toBe(
      '{"o":{"[1]":"arr","[\\"a\\"]":"set"},"s":[[1,2],{"k":[1]}],"sorted":[null,true,2,"s",[1],{"a":1},[1]]}',
    );
  });

  it('builtin errors: undefined when non-strict, raised (naming the builtin) when strict', () => {
    const m = 'package t\nx := to_number("abc")';
    expect(value(m, 'data.t.x')).toBeUndefined();
    expect(regoErrorOf(() => value(m, 'data.t.x', { strict: true })).message).toMatch(/eval_builtin_error: to_number/);
    expect(regoErrorOf(() => value('package t\nx := http.send({})', 'data.t.x')).message).toMatch(/http\.send: builtin not supported/);
  });

  it('query results: bindings, expression text and location, false values', () => {
    const r = evaluate(policy('package t'), 'x := 1; y := x + 1').results;
    expect(r).toEqual([
      {
        expressions: [
          { value: true, text: 'x := 1', location: { row: 1, col: 1 } },
          { value: true, text: 'y := x + 1', location: { row: 1, col: 9 } },
        ],
        bindings: { x: 1, y: 2 },
      },
    ]);
    expect(evaluate(policy('package t'), '1 > 2').results[0]!.expressions[0]!.value).toBe(false);
    expect(evaluate(policy('package t'), '1 > 2; true').results).toEqual([]);
  });

  it('evaluates long literals without deep recursion', () => {
    const arr = Array.from({ length: 20_000 }, (_, i) => i).join(', ');
    const obj = Array.from({ length: 20_000 }, (_, i) => `"k${i}": ${i}`).join(', ');
    expect(value(`package t\nx := [count([${arr}]), count({${obj}})]`, 'data.t.x')).toEqual([20_000, 20_000]);
  });

  it('v0 syntax still evaluates', () => {
    expect(value('package t\np[x] { x := 1 }\nq = y { y := 2 }\nr { true }', 'data.t')).toEqual({ p: [1], q: 2, r: true });
  });

  it('print lines carry file:row and undefined arguments', () => {
    const lines: string[] = [];
    value('package t\nimport rego.v1\np if { print("n", input.n, input.missing) }', 'data.t.p', { input: { n: [1] }, print: (l) => lines.push(l) });
    expect(lines).toEqual(['m.rego:3: n [1] <undefined>']);
  });
});

describe('limits and explanations', () => {
  it('stops runaway evaluation with eval_limit_error', () => {
    const m = 'package t\nn := count([x | some x in numbers.range(1, 100000)])';
    expect(regoErrorOf(() => value(m, 'data.t.n', { maxSteps: 1000 })).message).toMatch(
      /eval_limit_error: (numbers.range: )?evaluation exceeded the step limit of 1000 steps/,
    );
    expect(regoErrorOf(() => value(m, 'data.t.n', { timeoutMs: 0 })).errors[0]!.code).toBe('eval_limit_error');
  });

  it('explains which rule bodies produced each value, with bindings and locations', () => {
    const m = `package quota
import rego.v1
deny contains msg if {
  some t in input.tasks
  t.cpu > 4
  msg := sprintf("%s too big", [t.id])
}`;
    const out = evaluate(policy(m), 'data.quota.deny', {
      input: {
        tasks: [
          { id: 'a', cpu: 8 },
          { id: 'b', cpu: 1 },
        ],
      },
      explain: true,
    });
    expect(out.explanation!.entries).toEqual([
      { rule: 'data.quota.deny', value: 'a too big', bindings: { t: { id: 'a', cpu: 8 }, msg: 'a too big' }, location: { file: 'm.rego', row: 3, col: 1 } },
    ]);
    expect(evaluate(policy(m), 'data.quota.deny', { input: { tasks: [] } }).explanation).toBeUndefined();
  });

  it('non-deterministic builtins return one value per evaluation', () => {
    const m = 'package t\na := time.now_ns()\nb := time.now_ns()\nr := [rand.intn("k", 1000), rand.intn("k", 1000)]';
    const v = value(m, 'data.t', { nowNs: 1234n }) as { a: number; b: number; r: number[] };
    expect(v.a).toBe(1234);
    expect(v.b).toBe(1234);
    expect(v.r[0]).toBe(v.r[1]);
  });
});
