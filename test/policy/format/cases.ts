// Small formatting cases; the expected outputs are `opa fmt` v1.22.3's (checked in fmt-differential.test.ts).
export const cases: Array<[string, string, string]> = [
  ['`=` becomes `:=`, blank line after package', 'package a\nb = 1\n', 'package a\n\nb := 1\n'],
  [
    'imports sorted within their group (rows apart start a new group), future.keywords dropped with rego.v1',
    'package a\nimport rego.v1\nimport future.keywords.in\nimport data.z\nimport data.a as x\n',
    'package a\n\nimport rego.v1\n\nimport data.a as x\nimport data.z\n',
  ],
  [
    'one-liners on consecutive rows stay together; others get a blank line',
    'package a\nx := 1\ny := 2\ndefault z := false\nw := 3\n',
    'package a\n\nx := 1\ny := 2\n\ndefault z := false\n\nw := 3\n',
  ],
  [
    'one expression on the head row is written inline; several are expanded',
    'package a\np if { input.x }\nq if {\n  input.y; input.z\n}\n',
    'package a\n\np if input.x\n\nq if {\n\tinput.y\n\tinput.z\n}\n',
  ],
  [
    '`p if true` is a constant; `p[x] := true` keeps its value',
    'package a\np if true\nallowed[role] := true if role := "admin"\n',
    'package a\n\np := true\nallowed[role] := true if role := "admin"\n',
  ],
  [
    'refs: ["key"] becomes .key, keywords and odd keys keep brackets',
    'package a\nx := input["foo"]["bar-baz"]["not"]\n',
    'package a\n\nx := input.foo["bar-baz"]["not"]\n',
  ],
  ['nested operator calls and unions get parentheses', 'package a\nx := a + b * c\ny := [s | t]\n', 'package a\n\nx := a + (b * c)\ny := [s | t]\n'],
  [
    'comments kept: leading, trailing, inside bodies',
    'package a\n# lead\np if {\n  x := 1 # one\n  # two\n  x > 0\n}\n',
    'package a\n\n# lead\np if {\n\tx := 1 # one\n\n\t# two\n\tx > 0\n}\n',
  ],
  ['multi-line collections keep their rows, with a trailing comma', 'package a\nn := [1,\n  2, 3]\n', 'package a\n\nn := [\n\t1,\n\t2, 3,\n]\n'],
  ['else chains', 'package a\nf(x) := "b" if { x > 1 } else := "s"\n', 'package a\n\nf(x) := "b" if x > 1\n\nelse := "s"\n'],
  [
    'an operator head of a comprehension keeps its parentheses; `x if {1 | 1}` is a set comprehension, inline',
    'package a\nq := {4}\ne := [(q & {1}) | {true}]\nf := [(x + 1) | some x in [1]]\nx if {1 | 1}\n',
    'package a\n\nq := {4}\ne := [(q & {1}) | {true}]\nf := [(x + 1) | some x in [1]]\nx if {1 | 1}\n',
  ],
];
