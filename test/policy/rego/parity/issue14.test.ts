/**
 * Issue 14's causes, one regression each. Every expectation is OPA's answer (verified with
 * `opa eval`); when opa is available the suite also asks it again, so a wrong expectation fails too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evalPolicyQuery } from '../../../../src/policy/index.js';
import { comparable, maestroOutcome, opaFlagsOf, type ParityCase } from './cases.js';
import { findOpa, opaEval } from './opa.js';

const v = (value: unknown) => ({ defined: true as const, value });
const err = (code: string) => ({ error: code, message: '' });

const CASES: ParityCase[] = [
  {
    cause: 1,
    name: '`with` continued on the next line',
    rego: 'package t\na := x if {\n  x := input.a + input.b with input.a as 1\n    with input.b as 2\n}',
    query: 'data.t.a',
    want: v(3),
  },
  {
    cause: 2,
    name: 'cast_set and cast_array in a v0 module',
    rego: 'package t\na := [cast_set([1, 1]), cast_array({2}), cast_string("s"), cast_boolean(true), cast_null(null), cast_object({"k": 1})]',
    query: 'data.t.a',
    opaFlags: ['--v0-compatible'],
    want: v([[1], [2], 's', true, null, { k: 1 }]),
  },
  {
    cause: 2,
    name: 'cast_set in a v1 module is a deprecated-builtin type error',
    rego: 'package t\nimport rego.v1\na := cast_set([1, 1])',
    query: 'data.t.a',
    want: err('rego_type_error'),
  },
  {
    cause: 3,
    name: 'an import after rules applies to the whole module',
    rego: 'package t\na := cfg.v\nimport input.cfg\n',
    query: 'data.t.a',
    input: { cfg: { v: 7 } },
    want: v(7),
  },
  {
    cause: 4,
    name: 'an undefined argument inside a negation makes the expression undefined',
    rego: 'package t\nf(_) := true\na if { not f(input.missing) }\nb if { not startswith(input.missing, "a") }\nc if { not [input.missing] == [1] }\nd if { not input.missing == 1 }\ne if { not input.missing.x }\ng if { not [input.missing][0] }',
    query: 'data.t',
    want: v({ d: true, e: true }),
  },
  {
    cause: 'conformance',
    name: 'rem and json.patch accept integral numbers however they are written (OPA, not Regorus)',
    rego: 'package t\nx := 100000000000000000e-1 % 2\np := json.patch(["a", "b"], [{"op": "remove", "path": [1.0]}])',
    query: 'data.t',
    strict: true,
    want: v({ x: 0, p: ['a'] }),
  },
  {
    cause: 5,
    name: 'semver.is_valid is strict SemVer 2.0.0 (leading zeros rejected, optional v)',
    rego: 'package t\na := [semver.is_valid("01.2.3"), semver.is_valid("1.2.3-01"), semver.is_valid("1.2.3-0a"), semver.is_valid("v1.2.3"), semver.is_valid("1.2.3-"), semver.is_valid("1.2.3-+b")]',
    query: 'data.t.a',
    want: v([false, false, true, true, false, false]),
  },
  {
    cause: 5,
    name: 'semver.compare of a version with a leading zero is an error',
    rego: 'package t\nb := semver.compare("1.02.3", "1.2.3")',
    query: 'data.t.b',
    strict: true,
    want: err('eval_builtin_error'),
  },
  {
    cause: 6,
    name: '`with` replaces a builtin by another builtin named by a dotted ref',
    rego: 'package t\nc := x if { x := count([{"a": 1}, {"b": 2}]) with count as object.union_n }\nb := x if { x := count([1, 2]) with count as sum }',
    query: 'data.t',
    want: v({ b: 3, c: { a: 1, b: 2 } }),
  },
  {
    cause: 6,
    name: 'a replacement function that calls the function it replaces sees the original',
    rego: 'package t\nf(x) := x + 1\ng(x) := f(x) * 10\na := y if { y := f(1) with f as g }',
    query: 'data.t.a',
    want: v(20),
  },
  {
    cause: 7,
    name: 'to_number("inf") is a type error',
    rego: 'package t\na := to_number("inf")',
    query: 'data.t.a',
    strict: true,
    want: err('eval_type_error'),
  },
  {
    cause: 7,
    name: 'to_number("nan") is a type error',
    rego: 'package t\na := to_number("NaN")',
    query: 'data.t.a',
    strict: true,
    want: err('eval_type_error'),
  },
  {
    cause: 7,
    name: 'to_number of a string beyond float64 is out of range',
    rego: 'package t\na := to_number("1e400")',
    query: 'data.t.a',
    strict: true,
    want: err('eval_builtin_error'),
  },
  {
    cause: 10,
    name: 'units.parse with a space is an eval_builtin_error',
    rego: 'package t\na := units.parse("100 k")',
    query: 'data.t.a',
    strict: true,
    want: err('eval_builtin_error'),
  },
  {
    cause: 9,
    name: 'strings.replace_n with an empty key inserts the replacement around every byte',
    rego: 'package t\na := [strings.replace_n({"": "X"}, "ab"), strings.replace_n({"": "X", "a": "Y"}, "ab"), strings.replace_n({"": "X"}, ""), strings.replace_n({"b": "Z", "": "X"}, "abc")]',
    query: 'data.t.a',
    want: v(['XaXbX', 'XYXbX', 'X', 'XaXZXcX']),
  },
  {
    cause: 12,
    name: 'sprintf marks missing and extra arguments as Go does',
    rego: 'package t\na := [sprintf("%v %v", [1]), sprintf("%d", []), sprintf("%v", [1, 2]), sprintf("", ["s", 1.5])]',
    query: 'data.t.a',
    want: v(['1 %!v(MISSING)', '%!d(MISSING)', '1%!(EXTRA int64=2)', '%!(EXTRA string=s, float64=1.5)']),
  },
  {
    cause: 13,
    name: 'array.flatten flattens one level, as OPA',
    rego: 'package t\na := [array.flatten([[1, [2]]]), array.flatten([1, [2, [3, [4]]]])]',
    query: 'data.t.a',
    want: v([
      [1, [2]],
      [1, 2, [3, [4]]],
    ]),
  },
  {
    cause: 8,
    name: 'a parenthesised `key, value in coll` (tuple form) and chained in',
    rego: 'package t\na := (0, 2 in [2]) in [true]\nb := (1, 2 in [2])',
    query: 'data.t',
    want: v({ a: true, b: false }),
  },
  {
    cause: 14,
    name: 'every over a union `a | b`',
    rego: 'package t\nd if { every x in {1} | {2} { x > 0 } }\ne if { every x in {1} | {-2} { x > 0 } }',
    query: 'data.t',
    want: v({ d: true }),
  },
  {
    cause: 11,
    name: '`_` in a rule value iterates (the ref moves into the body)',
    rego: 'package t\nxs := [1]\nq(_) := xs[_]\np := xs[_]\na := [q(1), p]',
    query: 'data.t.a',
    want: v([1, 1]),
  },
  {
    cause: 15,
    name: 'a ref in a call argument binds the var the call reads (some foo; foo == input.foos[foo])',
    rego: 'package t\na contains foo if { some foo; foo == input.foos[foo] }\nb contains foo if { foo == input.foos[foo] }',
    query: 'data.t',
    input: { foos: { x: 'x', y: 'z' } },
    want: v({ a: ['x'], b: ['x'] }),
  },
  {
    cause: 23,
    name: 'strings.split_n keeps the first n (or last -n) parts',
    rego: 'package t\na := [strings.split_n("a,b,c", ",", 2), strings.split_n("a,b,c", ",", -1), strings.split_n("a,b,c", ",", 0), strings.split_n("abc", "", 2)]',
    query: 'data.t.a',
    want: v([['a', 'b'], ['c'], [], ['a', 'b']]),
  },
  {
    cause: 23,
    name: 'import future.keywords.not enables `not { block }`',
    rego: 'package t\nimport future.keywords.not\na if { not { input.x == 1; input.y == 2 } }\nb if { x := 1; not { x == 1 } }',
    query: 'data.t',
    want: v({ a: true }),
  },
  {
    cause: 23,
    name: 'import rego.v2 is accepted (v1 syntax and not-blocks)',
    rego: 'package t\nimport rego.v2\na if { not { input.x == 1 } }\nb := 1',
    query: 'data.t',
    want: v({ a: true, b: 1 }),
  },
  {
    cause: 22,
    name: 'without import rego.v1, `p[x] if { ... }` is an object rule (p[x] = true), as in OPA 1.x',
    rego: 'package t\nimport future.keywords.if\np[x] if { some x in ["a", "b"] }',
    query: 'data.t.p',
    want: v({ a: true, b: true }),
  },
  {
    cause: 20,
    name: 'integral numbers beyond float64 stay exact and compare right',
    rego: 'package t\na := 1e400 > 1e399\nd := (1e400 + 1) - 1e400\ng := 2e400 / 2 == 1e400',
    query: 'data.t',
    want: v({ a: true, d: 1, g: true }),
  },
  {
    cause: 21,
    name: 'yaml.is_valid refuses what yaml.v2 refuses: tab indentation, %YAML 1.2, unresolvable core tags',
    rego: 'package t\na := [yaml.is_valid("\\t"), yaml.is_valid("%YAML 1.2\\n---\\na: 1"), yaml.is_valid("a: !!int x"), yaml.is_valid("a: !!foo x"), yaml.is_valid("a: 1\\t")]',
    query: 'data.t.a',
    want: v([false, false, false, true, true]),
  },
  {
    cause: 19,
    name: 'data[v] with v bound to constants is followed exactly, not reported as recursion',
    rego: 'package t\nb := 1\na := x if { v := "t"; x := data[v].b }\nc := x if { some v in ["t"]; x := data[v].b }',
    query: 'data.t',
    want: v({ a: 1, b: 1, c: 1 }),
  },
  {
    cause: 18,
    name: 'x := count(y) after y := {x | ...} (the comprehension reuses the name x)',
    rego: 'package t\ng := x if { y := {x | some x in [1, 2]}; x := count(y) }\nh := x if { y := {x | x := [1, 2][_]}; x := count(y) }\nj if { y := {x | some x in [1, 2]}; x := count(y); x > 1 }',
    query: 'data.t',
    want: v({ g: 2, h: 2, j: true }),
  },
  {
    cause: 17,
    name: 'rego.metadata.rule() and chain() read METADATA annotations of the rule and package',
    rego: '# METADATA\n# title: Pkg\npackage t\n# METADATA\n# title: My rule\n# custom:\n#   severity: high\na := rego.metadata.rule()\n# METADATA\n# description: chain\nb := rego.metadata.chain()\nc := rego.metadata.chain()\n# METADATA\n# title: fn\nf(x) := [x, rego.metadata.rule()]\ne := f(1)',
    query: 'data.t',
    want: v({
      a: { custom: { severity: 'high' }, scope: 'rule', title: 'My rule' },
      b: [
        { annotations: { description: 'chain', scope: 'rule' }, path: ['t', 'b'] },
        { annotations: { scope: 'package', title: 'Pkg' }, path: ['t'] },
      ],
      c: [{ path: ['t', 'c'] }, { annotations: { scope: 'package', title: 'Pkg' }, path: ['t'] }],
      e: [1, { scope: 'rule', title: 'fn' }],
    }),
  },
  {
    cause: 'differential',
    name: 'found by the differential suite: Go case mapping, indexof of "", semver.is_valid of a non-string, some-in over a scalar',
    rego: 'package t\na := [lower("ΟΔΥΣΣΕΎΣ"), upper("ß"), lower("İ")]\nc := [semver.is_valid(x) | some x in [1, null, "1.0.0"]]\ne := {1 | some x in 5}',
    query: 'data.t',
    strict: true,
    want: v({ a: ['οδυσσεύσ', 'ß', 'i'], c: [false, false, true], e: [] }),
  },
  {
    cause: 'differential',
    name: 'indexof with an empty search string is an error',
    rego: 'package t\nb := indexof("abc", "")',
    query: 'data.t.b',
    strict: true,
    want: err('eval_builtin_error'),
  },
  {
    cause: 'differential',
    name: 'time.add_date beyond int64 nanoseconds is a builtin error',
    rego: 'package t\na := time.add_date(0, 300, 0, 0)',
    query: 'data.t.a',
    strict: true,
    want: err('eval_builtin_error'),
  },
  {
    cause: 'differential',
    name: 'unary minus on a var, ref or call',
    rego: 'package t\ny := 1\nf := 1.5\nx := -y\nv := 3 - -y\nu := [-y, -count([1]), -f]\nz = - y',
    query: 'data.t',
    want: v({ f: 1.5, u: [-1, -1, -1.5], v: 4, x: -1, y: 1, z: -1 }),
  },
];

const opa = findOpa();
if (!opa.bin) console.warn(`[issue14 parity] OPA cross-check skipped: ${opa.reason}`);

describe('issue 14 causes (answers of OPA 1.22.3)', () => {
  for (const c of CASES) {
    it(`cause ${c.cause}: ${c.name}`, () => {
      expect(comparable(maestroOutcome(c))).toEqual(comparable(c.want));
    });
  }
  it.skipIf(!opa.bin)(
    'the real opa still gives every expected answer',
    () => {
      for (const c of CASES) {
        const got = opaEval({ 'p.rego': c.rego }, c.query, c.input, opaFlagsOf(c));
        expect(comparable(got), `cause ${c.cause}: ${c.name}`).toEqual(comparable(c.want));
      }
    },
    60_000,
  );
});

// Cause 16: OPA 1.22.3 refuses a JSON data file holding several values too ("invalid character '{'
// after top-level value", for -d, -b and opa test alike), so maestro's refusal is the parity answer.
describe('issue 14 cause 16: a JSON data file holding several values', () => {
  const dir = mkdtempSync(join(tmpdir(), 'multi-json-'));
  writeFileSync(join(dir, 'data.json'), '{"a": 1}\n{"b": 2}\n');
  writeFileSync(join(dir, 'p.rego'), 'package t\nx := data.a\n');
  it('is refused, naming the file and the position of the second value', () => {
    const report = evalPolicyQuery({ query: 'data.t.x', dataPaths: [dir] });
    expect(report.output.errors?.[0]).toMatchObject({ code: 'POLICY_DATA_SYNTAX', location: { row: 2, col: 1 } });
  });
  it.skipIf(!opa.bin)('as the real opa refuses it', () => {
    const r = spawnSync(opa.bin!, ['eval', '-d', dir, '--format', 'json', 'data.t.x'], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/invalid character '\{' after top-level value/);
    rmSync(dir, { recursive: true, force: true });
  });
});
