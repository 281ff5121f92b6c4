# annotations:
# title: Quota
# summary: Denies a run when the tenant already has as many executions queued or running as its concurrency cap allows.
# examples:
# - input: {"action":"run","tenant":{"name":"acme","quota":{"maxConcurrent":2,"inUse":1,"active":["ex_a"]}}}
#   deny: false
# - input: {"action":"run","tenant":{"name":"acme","quota":{"maxConcurrent":2,"inUse":2,"active":["ex_a","ex_b"]}}}
#   deny: true
# - input: {"action":"run","tenant":{"name":"acme","quota":{"maxConcurrent":0,"inUse":0}}}
#   deny: true
# - input: {"action":"cancel","tenant":{"name":"acme","quota":{"maxConcurrent":2,"inUse":5}}}
#   deny: false
package maestro.quota

import rego.v1

# Actions that start no work never take a slot.
exempt if input.action in {"cancel", "read", "status", "logs", "validate"}

cap := input.tenant.quota.maxConcurrent

in_use := object.get(input.tenant.quota, "inUse", 0)

at_cap if in_use >= cap

deny contains msg if {
	not exempt
	at_cap
	msg := sprintf("tenant %s at concurrency quota (%d/%d running%s)", [tenant_name, in_use, cap, holders])
}

tenant_name := object.get(input, ["tenant", "name"], "(unnamed)")

# Which executions hold the slots, e.g. ": ex_a, ex_b" (empty when unknown).
holders := sprintf(": %s", [concat(", ", active)]) if {
	active := object.get(input.tenant.quota, "active", [])
	count(active) > 0
} else := ""
