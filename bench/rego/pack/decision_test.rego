package maestro.decision_test

import rego.v1

import data.maestro.decision

base := {
	"actor": {"sub": "ann@acme", "roles": ["operator"], "tenant": "t_acme"},
	"tenant": {
		"id": "t_acme", "name": "acme", "requireSandbox": true, "residency": ["EU"],
		"quota": {"maxConcurrent": 25, "inUse": 7},
		"budget": {"dailyMaxUSD": 500, "spentTodayUSD": 120.5},
	},
	"request": {"resourceClass": "medium", "region": "EU"},
	"plan": {"estimatedCostUSD": 3.27},
	"workflow": {"name": "nightly-etl", "region": "eu-west-1", "tasks": [
		{"id": "extract", "resourceClass": "small", "network": true},
		{"id": "transform", "resourceClass": "large"},
		{"id": "load"},
	]},
	"runner": {"sandbox": "bwrap"},
	"action": "run",
}

test_allowed if {
	decision.allow with input as base
	count(decision.warn) == 0 with input as base
}

test_quota_denied if {
	inp := json.patch(base, [{"op": "replace", "path": "/tenant/quota/inUse", "value": 25}])
	some msg in decision.deny with input as inp
	contains(msg, "concurrency quota")
}

test_budget_warns_at_80_percent if {
	inp := json.patch(base, [{"op": "replace", "path": "/tenant/budget/spentTodayUSD", "value": 400}])
	decision.allow with input as inp
	count(decision.warn) == 1 with input as inp
}

test_budget_denied_over_cap if {
	inp := json.patch(base, [{"op": "replace", "path": "/tenant/budget/spentTodayUSD", "value": 499}])
	not decision.allow with input as inp
}

test_residency_denied if {
	inp := json.patch(base, [{"op": "replace", "path": "/workflow/region", "value": "us-east-1"}])
	count(decision.deny) == 2 with input as inp
}

test_viewer_may_not_run if {
	inp := json.patch(base, [{"op": "replace", "path": "/actor/roles", "value": ["viewer"]}])
	not decision.allow with input as inp
}

test_sandbox_required if {
	inp := json.patch(base, [{"op": "replace", "path": "/runner/sandbox", "value": "none"}])
	some msg in decision.deny with input as inp
	startswith(msg, "workflow nightly-etl must run sandboxed")
}
