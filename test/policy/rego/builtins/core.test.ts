import { describe, expect, it } from 'vitest';
import { regoErrorOf, value } from '../helpers.js';

/** Evaluate one expression as the value of rule x. */
const ev = (expr: string, strict = true): unknown => value(`package t\nimport rego.v1\nx := ${expr}`, 'data.t.x', { strict });

describe('aggregates, arrays, sets', () => {
  it('count/sum/product/max/min/sort', () => {
    expect(ev('[count("héllo"), count({1, 2}), sum([1, 2.5]), product({2, 3}), max([1, "a"]), min(set())]')).toBeUndefined();
    expect(ev('[count("héllo"), count({1, 2}), sum([1, 2.5]), product({2, 3}), max([1, "a"])]')).toEqual([5, 2, 3.5, 6, 'a']);
    expect(ev('sort({3, 1, [0]})')).toEqual([1, 3, [0]]);
    expect(regoErrorOf(() => ev('count(1)')).message).toMatch(/rego_type_error: count: operand 1 must be one of/);
    expect(regoErrorOf(() => value('package t\nx := count(input.n)', 'data.t.x', { strict: true, input: { n: 1 } })).message).toMatch(
      /eval_type_error: count: operand 1/,
    );
  });

  it('array.concat/slice/reverse and set operators', () => {
    expect(ev('[array.concat([1], [2]), array.slice([1, 2, 3, 4], 1, 3), array.slice([1], -5, 9), array.reverse([1, 2])]')).toEqual([
      [1, 2],
      [2, 3],
      [1],
      [2, 1],
    ]);
    expect(ev('[{1, 2} & {2, 3}, {1} | {2}, {1, 2} - {1}, intersection({{1, 2}, {2}}), union({{1}, {3}})]')).toEqual([[2], [1, 2], [2], [2], [1, 3]]);
  });
});

describe('numbers and bits', () => {
  it('exact integer arithmetic, float64 otherwise', () => {
    expect(ev('[7 % 3, -7 % 3, 7 / 2, 6 / 3, round(2.5), round(-2.5), ceil(1.1), floor(-1.1), abs(-3)]')).toEqual([1, -1, 3.5, 2, 3, -3, 2, -2, 3]);
    expect(ev('numbers.range(3, 1)')).toEqual([3, 2, 1]);
    expect(ev('[to_number("1.5"), to_number(true), to_number(null)]')).toEqual([1.5, 1, 0]);
    expect(regoErrorOf(() => ev('1 / 0')).message).toMatch(/divide by zero/);
    expect(regoErrorOf(() => ev('1.5 % 1')).message).toMatch(/modulo on floating-point number/);
    expect(ev('1 / 0', false)).toBeUndefined();
  });

  it('bitwise operations', () => {
    expect(ev('[bits.and(12, 10), bits.or(12, 10), bits.xor(12, 10), bits.negate(5), bits.lsh(1, 70) > 0, bits.rsh(8, 2)]')).toEqual([8, 14, 6, -6, true, 2]);
  });
});

describe('strings', () => {
  it('searching, slicing and trimming', () => {
    expect(ev('[indexof("héllo", "l"), indexof_n("abab", "b"), substring("héllo", 1, 3), substring("abc", 1, -1)]')).toEqual([2, [1, 3], 'éll', 'bc']);
    expect(ev('[trim("xxaxx", "x"), trim_left("xa", "x"), trim_right("ax", "x"), trim_prefix("ab", "a"), trim_suffix("ab", "b"), trim_space(" a ")]')).toEqual([
      'a',
      'a',
      'a',
      'b',
      'a',
      'a',
    ]);
    expect(ev('[split("a,b", ","), replace("aa", "a", "b"), strings.replace_n({"a": "1", "b": "2"}, "abc"), concat("-", {"b", "a"})]')).toEqual([
      ['a', 'b'],
      'bb',
      '12c',
      'a-b',
    ]);
    expect(ev('[upper("a"), lower("A"), strings.reverse("abc"), strings.count("aaa", "a"), format_int(-10, 2)]')).toEqual(['A', 'a', 'cba', 3, '-1010']);
    expect(ev('[startswith("ab", "a"), endswith("ab", "b"), contains("ab", "x"), strings.any_prefix_match(["ab"], ["x", "a"])]')).toEqual([
      true,
      true,
      false,
      true,
    ]);
  });

  it('sprintf follows Go verbs', () => {
    expect(
      ev('sprintf("%v|%s|%d|%.2f|%x|%X|%o|%b|%q|%t|%e|%5d|%-3s|%05.1f|%%", [[1, "a"], "s", 42, 3.14159, 255, 255, 8, 5, "q", true, 1234.5, 42, "ab", 2.25])'),
    ).toBe('[1, "a"]|s|42|3.14|ff|FF|10|101|"q"|true|1.234500e+03|   42|ab |002.2|%');
    expect(ev('sprintf("%v %v", [1e-7, 100000000000000000000000])')).toBe('1e-07 100000000000000000000000');
    expect(ev('sprintf("%d %d", [1])')).toBe('1 %!d(MISSING)'); // OPA 1.22.3's answer (Go's fmt)
  });
});

describe('objects and json', () => {
  it('object.get/remove/filter/union/keys/subset', () => {
    expect(ev('object.get({"a": {"b": 1}}, ["a", "b"], 0)')).toBe(1);
    expect(ev('object.get({"a": 1}, "z", "d")')).toBe('d');
    expect(ev('[object.remove({"a": 1, "b": 2}, ["a"]), object.filter({"a": 1, "b": 2}, {"a"}), object.union({"a": {"x": 1}}, {"a": {"y": 2}})]')).toEqual([
      { b: 2 },
      { a: 1 },
      { a: { x: 1, y: 2 } },
    ]);
    expect(
      ev('[object.keys({"a": 1}), object.union_n([{"a": 1}, {"a": 2}]), object.subset({"a": 1, "b": 2}, {"a": 1}), object.subset([1, 2, 3], [2, 3])]'),
    ).toEqual([['a'], { a: 2 }, true, true]);
  });

  it('json.filter, json.remove, json.patch', () => {
    expect(ev('json.filter({"a": {"b": 1, "c": 2}, "d": 3}, ["a/b", "d"])')).toEqual({ a: { b: 1 }, d: 3 });
    expect(ev('json.remove({"a": {"b": 1, "c": 2}}, ["a/b"])')).toEqual({ a: { c: 2 } });
    expect(
      ev(
        'json.patch({"a": [1]}, [{"op": "add", "path": "/a/-", "value": 2}, {"op": "replace", "path": "/a/0", "value": 0}, {"op": "copy", "from": "/a", "path": "/b"}])',
      ),
    ).toEqual({ a: [0, 2], b: [0, 2] });
    // a failed patch is a builtin error, as in OPA: undefined by default, raised when strict
    expect(ev('json.patch({"a": 1}, [{"op": "test", "path": "/a", "value": 2}])', false)).toBeUndefined();
    expect(regoErrorOf(() => ev('json.patch({"a": 1}, [{"op": "test", "path": "/a", "value": 2}])')).message).toMatch(
      /eval_builtin_error: json.patch: value from the document != patch value/,
    );
  });
});

describe('types, membership, unsupported', () => {
  it('type predicates and type_name', () => {
    expect(
      ev(
        '[type_name(null), type_name(1), type_name({1}), is_set(set()), is_object({}), is_array([]), is_number(1.5), is_string(""), is_boolean(false), is_null(null)]',
      ),
    ).toEqual(['null', 'number', 'set', true, true, true, true, true, true, true]);
  });

  it('in and k, v in', () => {
    expect(ev('[1 in [1], 2 in {"a": 2}, 3 in {3}, "x" in ["y"]]')).toEqual([true, true, true, false]);
    expect(value('package t\nimport rego.v1\np if "a", 2 in {"a": 2}\nq if 1, "x" in ["w", "x"]', 'data.t')).toEqual({ p: true, q: true });
  });

  it('network, crypto and runtime builtins fail with their name even when not strict', () => {
    for (const call of ['http.send({})', 'crypto.sha256("a")', 'io.jwt.decode("a")', 'opa.runtime()', 'net.cidr_contains("a", "b")']) {
      expect(regoErrorOf(() => ev(call, false)).message).toContain(`${call.slice(0, call.indexOf('('))}: builtin not supported`);
    }
  });
});

describe('graph', () => {
  it('graph.reachable and graph.reachable_paths', () => {
    const g = '{"a": ["b"], "b": {"c"}, "c": [], "d": ["a"]}';
    expect(ev(`graph.reachable(${g}, ["a"])`)).toEqual(['a', 'b', 'c']);
    expect(ev(`graph.reachable_paths(${g}, {"d"})`)).toEqual([['d', 'a', 'b', 'c']]);
  });
});
