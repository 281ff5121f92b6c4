package maestro.budget_test

import rego.v1

import data.maestro.budget

req(cap, spent, estimate) := {
	"action": "run",
	"tenant": {"name": "acme", "budget": {"dailyMaxUSD": cap, "spentTodayUSD": spent}},
	"plan": {"estimatedCostUSD": estimate},
}

test_well_under_budget if {
	count(budget.deny) == 0 with input as req(100, 10, 5)
	count(budget.warn) == 0 with input as req(100, 10, 5)
}

test_warns_at_80_percent if {
	count(budget.deny) == 0 with input as req(100, 78, 2)
	budget.warn == {"budget: tenant acme would reach 80.0% of its daily budget: spent $78.00 + estimate $2.00 = $80.00 of the $100.00 cap"} with input as req(100, 78, 2)
}

test_exactly_at_cap_warns_only if {
	count(budget.deny) == 0 with input as req(100, 90, 10)
	count(budget.warn) == 1 with input as req(100, 90, 10)
}

test_denies_over_cap if {
	budget.deny == {"budget: tenant acme would exceed its daily budget: spent $98.50 + estimate $2.00 = $100.50, over the $100.00 cap (100.5%)"} with input as req(100, 98.5, 2)
	count(budget.warn) == 0 with input as req(100, 98.5, 2)
}

test_amounts_below_a_cent_keep_micro_dollars if {
	budget.deny == {"budget: tenant acme would exceed its daily budget: spent $0.000100 + estimate $0.000250 = $0.000350, over the $0.000300 cap (116.7%)"} with input as req(0.0003, 0.0001, 0.00025)
}

test_zero_cap_denies_any_cost if {
	count(budget.deny) == 1 with input as req(0, 0, 0.01)
	count(budget.deny) == 0 with input as req(0, 0, 0)
}

test_cancel_exempt if {
	count(budget.deny) == 0 with input as object.union(req(10, 50, 1), {"action": "cancel"})
}
