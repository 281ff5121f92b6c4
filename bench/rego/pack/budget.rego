# Daily budget: soft warn at 80% of the cap, hard deny above 100% (spend today + this plan's estimate).
package maestro.budget

import rego.v1

cap := input.tenant.budget.dailyMaxUSD

projected := input.tenant.budget.spentTodayUSD + input.plan.estimatedCostUSD

ratio := projected / cap if cap > 0

deny contains msg if {
	projected > cap
	msg := sprintf("daily budget exceeded: $%.2f projected of $%.2f", [projected, cap])
}

warn contains msg if {
	projected <= cap
	ratio >= 0.8
	msg := sprintf("%.0f%% of the daily budget would be used ($%.2f of $%.2f)", [ratio * 100, projected, cap])
}

deny contains "plan has no cost estimate" if not is_number(input.plan.estimatedCostUSD)
