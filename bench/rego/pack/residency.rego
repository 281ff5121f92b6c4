# Data residency: the workflow's region must belong to a zone the tenant allows.
package maestro.residency

import rego.v1

zones := {
	"EU": {"eu-west-1", "eu-central-1", "eu-north-1"},
	"US": {"us-east-1", "us-west-2"},
	"APAC": {"ap-southeast-1", "ap-northeast-1"},
}

allowed_regions contains region if {
	some zone in input.tenant.residency
	some region in zones[zone]
}

workflow_zone := zone if {
	some zone, regions in zones
	input.workflow.region in regions
}

deny contains msg if {
	not input.workflow.region in allowed_regions
	msg := sprintf("region %s is outside the tenant's residency %v", [input.workflow.region, input.tenant.residency])
}

deny contains msg if {
	input.request.region != workflow_zone
	msg := sprintf("request zone %s does not match workflow region %s", [input.request.region, input.workflow.region])
}
