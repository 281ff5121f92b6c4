/**
 * Property-based generation of Rego for the differential suite: well-typed expressions (numbers,
 * strings, booleans, arrays, sets, objects) over a generated input, built with fast-check.
 * Well-typed by construction, so a module compiles in both engines and each rule can be compared.
 */
import fc from 'fast-check';

type Arb = fc.Arbitrary<string>;

/** Fresh variable names for comprehensions (reset per batch, so a seed gives the same text). */
let vars = 0;
const fresh = (): string => `v${vars++}`;

const num0: Arb = fc.oneof(
  fc.integer({ min: -20, max: 20 }).map(String),
  fc.constantFrom('0.5', '2.25', '-1.5', '1e3', '3.0', '100000000000000000000'),
  fc.integer({ min: 0, max: 3 }).map((i) => `input.ns[${i}]`),
  fc.constant('input.f'),
);
const str0: Arb = fc.oneof(
  fc.constantFrom('"a"', '"abc"', '""', '"A,b,C"', '"héllo"', '" pad "', '"x.y.z"', '"10"'),
  fc.integer({ min: 0, max: 2 }).map((i) => `input.ss[${i}]`),
);

const { num, str, bool, arr, set, obj } = fc.letrec<{ num: string; str: string; bool: string; arr: string; set: string; obj: string }>((tie) => ({
  num: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    num0,
    fc.tuple(tie('num'), fc.constantFrom('+', '-', '*', '/', '%'), tie('num')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    tie('num').map((a) => `abs(${a})`),
    fc.tuple(fc.constantFrom('round', 'ceil', 'floor'), tie('num')).map(([f, a]) => `${f}(${a})`),
    fc.tuple(fc.constantFrom('count', 'sum', 'max', 'min', 'product'), tie('arr')).map(([f, a]) => `${f}(${a})`),
    tie('set').map((s) => `count(${s})`),
    tie('str').map((s) => `count(${s})`),
    tie('str').map((s) => `indexof(${s}, "a")`),
    fc.tuple(tie('arr'), fc.integer({ min: -3, max: 5 })).map(([a, b]) => `numbers.range(count(${a}), ${b})[0]`),
  ),
  str: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    str0,
    tie('arr').map((a) => ((x) => `concat(",", [sprintf("%v", [${x}]) | some ${x} in ${a}])`)(fresh())),
    fc.tuple(fc.constantFrom('upper', 'lower', 'strings.reverse', 'trim_space'), tie('str')).map(([f, s]) => `${f}(${s})`),
    fc.tuple(tie('str'), fc.integer({ min: -1, max: 4 }), fc.integer({ min: -1, max: 4 })).map(([s, a, b]) => `substring(${s}, ${a}, ${b})`),
    fc.tuple(tie('str'), tie('str')).map(([a, b]) => `concat("-", [${a}, ${b}])`),
    fc.tuple(tie('num'), tie('str')).map(([n, s]) => `sprintf("%v|%s|%d", [${n}, ${s}, ${n}])`),
    fc.tuple(tie('str'), tie('str')).map(([s, o]) => `replace(${s}, ${o}, "_")`),
    tie('num').map((n) => `format_int(${n}, 16)`),
    tie('obj').map((o) => `json.marshal(${o})`),
    tie('str').map((s) => `trim(${s}, "a ")`),
  ),
  bool: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('true', 'false', 'input.b'),
    fc.tuple(tie('num'), fc.constantFrom('<', '<=', '==', '!=', '>', '>='), tie('num')).map(([a, op, b]) => `${a} ${op} ${b}`),
    fc.tuple(tie('str'), fc.constantFrom('<', '==', '!='), tie('str')).map(([a, op, b]) => `${a} ${op} ${b}`),
    fc.tuple(fc.constantFrom('startswith', 'endswith', 'contains'), tie('str'), tie('str')).map(([f, a, b]) => `${f}(${a}, ${b})`),
    fc.tuple(tie('num'), tie('set')).map(([n, s]) => `${n} in ${s}`),
    fc.tuple(tie('str'), fc.constantFrom('^a', 'b+', '^\\\\pL+$', '[0-9]', '(?i)A')).map(([s, p]) => `regex.match("${p}", ${s})`),
    fc.tuple(tie('arr'), tie('arr')).map(([a, b]) => `${a} == ${b}`),
  ),
  arr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.array(num0, { maxLength: 4 }).map((xs) => `[${xs.join(', ')}]`),
    fc.constant('input.ns'),
    fc.tuple(tie('arr'), tie('arr')).map(([a, b]) => `array.concat(${a}, ${b})`),
    fc.tuple(tie('arr'), fc.integer({ min: -1, max: 3 }), fc.integer({ min: 0, max: 4 })).map(([a, i, j]) => `array.slice(${a}, ${i}, ${j})`),
    tie('arr').map((a) => `sort(${a})`),
    tie('arr').map((a) => `array.reverse(${a})`),
    fc.tuple(tie('arr'), tie('num')).map(([a, n]) => ((x) => `[${x} | some ${x} in ${a}; ${x} > ${n}]`)(fresh())),
    tie('set').map((s) => ((x) => `[${x} | some ${x} in ${s}]`)(fresh())),
    fc.tuple(tie('str')).map(([s]) => ((x) => `[count(${x}) | some ${x} in split(${s}, ",")]`)(fresh())),
  ),
  set: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.array(num0, { maxLength: 4 }).map((xs) => (xs.length ? `{${xs.join(', ')}}` : 'set()')),
    fc.tuple(tie('set'), fc.constantFrom('|', '&', '-'), tie('set')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    tie('arr').map((a) => ((x) => `{${x} | some ${x} in ${a}}`)(fresh())),
  ),
  obj: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(tie('str'), tie('num'), tie('bool')).map(([s, n, b]) => `{"s": ${s}, "n": ${n}, "b": ${b}}`),
    fc.tuple(tie('obj'), tie('obj')).map(([a, b]) => `object.union(${a}, ${b})`),
    tie('arr').map((a) => ((xs, i, x) => `{sprintf("k%v", [${i}]): ${x} | ${xs} := ${a}; some ${i}, ${x} in ${xs}}`)(fresh(), fresh(), fresh())),
    tie('obj').map((o) => `object.remove(${o}, ["n"])`),
  ),
}));

/** `every` is a statement, not a value: generated as a whole rule body. */
const everyBody: Arb = fc.tuple(arr, bool).map(([a, b]) => ((x) => `every ${x} in ${a} { ${x} != 0; ${b} }`)(fresh()));

/** A generated rule body value of any type (or an every statement). */
export const anyExpr: Arb = fc.oneof(num, str, bool, arr, set, obj, everyBody);

/** A generated input document for the expressions above. */
export const inputDoc = fc.record({
  ns: fc.array(
    fc.oneof(
      fc.integer({ min: -50, max: 50 }),
      fc.double({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true }).map((d) => Math.round(d * 4) / 4),
    ),
    { minLength: 4, maxLength: 4 },
  ),
  ss: fc.array(fc.constantFrom('a', 'b,c', 'ABC', '', 'ünï', '12'), { minLength: 3, maxLength: 3 }),
  f: fc.constantFrom(0, 1.5, -3, 7, 0.1),
  b: fc.boolean(),
});

/**
 * A batch of generated rules as one module (`package gen`, rules r0..rN), each rule's value one
 * generated expression; `rules[i]` is the source of rule i (the repro of a difference).
 */
export function generatedBatch(seed: number, size: number): { module: string; rules: string[]; input: unknown } {
  vars = 0;
  const exprs = fc.sample(anyExpr, { seed, numRuns: size });
  const [input] = fc.sample(inputDoc, { seed: seed + 1, numRuns: 1 });
  const rules = exprs.map((e, i) => (e.startsWith('every ') ? `r${i} if { ${e} }` : `r${i} := ${e}`));
  return { module: `package gen\n\n${rules.join('\n')}\n`, rules, input };
}
