package maestro.residency_test

import rego.v1

import data.maestro.residency

req(wf, rq) := {"action": "run", "tenant": {"name": "acme"}, "workflow": {"name": "etl", "region": wf}, "request": {"region": rq}}

allowed_eu := {"allowedRegions": {"acme": ["EU", "EU-WEST"]}}

test_same_region_allowed if {
	count(residency.deny) == 0 with input as req("EU", "EU")
}

test_mismatch_denied if {
	residency.deny == {"residency: workflow etl runs in region US but the request is for region EU"} with input as req("US", "EU")
}

test_region_outside_tenant_allowlist if {
	residency.deny == {"residency: region US is not allowed for tenant acme (allowed: EU, EU-WEST)"} with input as req("US", "US") with data.maestro.config.residency as allowed_eu
}

test_region_inside_tenant_allowlist if {
	count(residency.deny) == 0 with input as req("EU", "EU") with data.maestro.config.residency as allowed_eu
}

test_other_tenant_unrestricted if {
	count(residency.deny) == 0 with input as object.union(req("US", "US"), {"tenant": {"name": "zeta"}}) with data.maestro.config.residency as allowed_eu
}
