# annotations:
# title: Budget
# summary: Warns when a run would take the tenant past 80% of its daily USD budget and denies it past 100%.
# examples:
# - input: {"tenant":{"name":"acme","budget":{"dailyMaxUSD":100,"spentTodayUSD":10}},"plan":{"estimatedCostUSD":5}}
#   deny: false
#   warn: false
# - input: {"tenant":{"name":"acme","budget":{"dailyMaxUSD":100,"spentTodayUSD":78}},"plan":{"estimatedCostUSD":3}}
#   deny: false
#   warn: true
# - input: {"tenant":{"name":"acme","budget":{"dailyMaxUSD":100,"spentTodayUSD":98.5}},"plan":{"estimatedCostUSD":2}}
#   deny: true
# - input: {"action":"cancel","tenant":{"name":"acme","budget":{"dailyMaxUSD":100,"spentTodayUSD":150}},"plan":{"estimatedCostUSD":2}}
#   deny: false
package maestro.budget

import rego.v1

# Actions that start no work are never held back by the budget.
exempt if input.action in {"cancel", "read", "status", "logs", "validate"}

cap := input.tenant.budget.dailyMaxUSD

spent := object.get(input.tenant.budget, "spentTodayUSD", 0)

estimate := object.get(input, ["plan", "estimatedCostUSD"], 0)

projected := spent + estimate

# Percent of the daily cap the tenant would reach with this run.
projected_pct := (projected * 100) / cap if cap > 0

over_cap if {
	cap > 0
	projected > cap
}

over_cap if {
	cap == 0
	projected > 0
}

near_cap if {
	not over_cap
	projected_pct >= 80
}

deny contains msg if {
	not exempt
	over_cap
	msg := sprintf(
		"budget: tenant %s would exceed its daily budget: spent %s + estimate %s = %s, over the %s cap (%s)",
		[tenant_name, usd(spent), usd(estimate), usd(projected), usd(cap), pct_label],
	)
}

warn contains msg if {
	not exempt
	near_cap
	msg := sprintf(
		"budget: tenant %s would reach %s of its daily budget: spent %s + estimate %s = %s of the %s cap",
		[tenant_name, pct(projected_pct), usd(spent), usd(estimate), usd(projected), usd(cap)],
	)
}

tenant_name := object.get(input, ["tenant", "name"], "(unnamed)")

pct_label := pct(projected_pct) if {
	cap > 0
} else := "the cap is $0.00"

# Money as $d.cc, or to the micro-dollar below a cent (sprintf's %f is avoided: integral JSON numbers
# are integers in Rego).
usd(x) := sprintf("$%d.%02d", [floor(c / 100), c % 100]) if {
	x >= 0.01
	c := round(x * 100)
} else := "$0.00" if {
	x == 0
} else := sprintf("$0.%06d", [round(x * 1000000)])

pct(x) := sprintf("%d.%d%%", [floor(t / 10), t % 10]) if t := round(x * 10)
