package maestro.quota_test

import rego.v1

import data.maestro.quota

run_at(in_use, cap) := {"action": "run", "tenant": {"name": "acme", "quota": {"maxConcurrent": cap, "inUse": in_use, "active": ["ex_a", "ex_b"]}}}

test_below_cap_allowed if {
	count(quota.deny) == 0 with input as run_at(1, 2)
}

test_at_cap_denied_with_numbers if {
	quota.deny == {"tenant acme at concurrency quota (2/2 running: ex_a, ex_b)"} with input as run_at(2, 2)
}

test_over_cap_denied if {
	count(quota.deny) == 1 with input as run_at(3, 2)
}

test_zero_cap_denies_everything if {
	count(quota.deny) == 1 with input as {"action": "run", "tenant": {"name": "acme", "quota": {"maxConcurrent": 0, "inUse": 0}}}
}

test_cancel_exempt if {
	count(quota.deny) == 0 with input as object.union(run_at(9, 2), {"action": "cancel"})
}
