# annotations:
# title: Residency
# summary: Enforces data residency alignment between workflow and request.
# examples:
# - input: {"workflow":{"region":"US"},"request":{"region":"EU"}}
#   deny: true
# - input: {"workflow":{"region":"EU"},"request":{"region":"EU"}}
#   deny: false
# - input: {"tenant":{"name":"acme"},"workflow":{"region":"US"},"request":{"region":"US"}}
#   data: {"maestro":{"config":{"residency":{"allowedRegions":{"acme":["EU"]}}}}}
#   deny: true
# - input: {"tenant":{"name":"acme"},"workflow":{"region":"EU"},"request":{"region":"EU"}}
#   data: {"maestro":{"config":{"residency":{"allowedRegions":{"acme":["EU"]}}}}}
#   deny: false
package maestro.residency

import rego.v1

exempt if input.action in {"cancel", "read", "status", "logs", "validate"}

deny contains msg if {
	not exempt
	input.workflow.region != input.request.region
	msg := sprintf(
		"residency: workflow %s runs in region %s but the request is for region %s",
		[workflow_name, input.workflow.region, input.request.region],
	)
}

# The tenant's allowed regions apply when the pack's data names them (data.maestro.config.residency).
deny contains msg if {
	not exempt
	allowed := data.maestro.config.residency.allowedRegions[input.tenant.name]
	some region in regions
	not region in allowed
	msg := sprintf(
		"residency: region %s is not allowed for tenant %s (allowed: %s)",
		[region, input.tenant.name, concat(", ", sort(allowed))],
	)
}

# The regions this request touches.
regions contains input.workflow.region

regions contains input.request.region

workflow_name := object.get(input, ["workflow", "name"], "(unnamed)")
