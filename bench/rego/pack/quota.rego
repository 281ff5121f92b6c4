# Per-tenant concurrency quota: deny at the cap, warn at 80% of it.
package maestro.quota

import rego.v1

max_concurrent := input.tenant.quota.maxConcurrent

in_use := input.tenant.quota.inUse

remaining := max_concurrent - in_use

deny contains msg if {
	in_use >= max_concurrent
	msg := sprintf("tenant %s is at its concurrency quota (%d of %d executions running)", [input.tenant.name, in_use, max_concurrent])
}

warn contains msg if {
	in_use < max_concurrent
	in_use >= max_concurrent * 0.8
	msg := sprintf("tenant %s is near its concurrency quota (%d of %d)", [input.tenant.name, in_use, max_concurrent])
}
