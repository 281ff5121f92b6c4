package chk

import data.foo
import data.bar
import data.bar
import input.x

f(a, b) := a

p if {
	x := 1
	input.y == 2
}

q := y if {
	y := 1
	z := 2
	_ = z
}

r if {
	some w
	input.y == 3
}

s := any([true])
