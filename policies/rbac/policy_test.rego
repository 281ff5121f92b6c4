package maestro.rbac_test

import rego.v1

import data.maestro.rbac

# The same map the engine passes from src/tenancy/roles.ts (a vitest test keeps the two equal).
fixture := {
	"rolePermissions": {
		"viewer": ["read"],
		"composer": ["read", "validate", "plan"],
		"operator": ["read", "validate", "plan", "run", "cancel"],
		"admin": ["read", "validate", "plan", "run", "cancel", "tenant:manage", "members:manage", "policy:manage", "metrics"],
	},
	"actionPermissions": {"status": "read", "logs": "read", "show": "read", "explain": "read"},
}

req(role, action) := {"action": action, "actor": {"sub": "u@acme", "roles": [role], "tenant": "acme"}}

test_operator_may_run if {
	count(rbac.deny) == 0 with input as req("operator", "run") with data.maestro.config.rbac as fixture
}

test_composer_may_plan_not_run if {
	count(rbac.deny) == 0 with input as req("composer", "plan") with data.maestro.config.rbac as fixture
	rbac.deny == {"rbac: u@acme (role composer) may not run: it needs the \"run\" permission"} with input as req("composer", "run") with data.maestro.config.rbac as fixture
}

test_viewer_may_read_status if {
	count(rbac.deny) == 0 with input as req("viewer", "status") with data.maestro.config.rbac as fixture
	count(rbac.deny) == 1 with input as req("viewer", "cancel") with data.maestro.config.rbac as fixture
}

test_unknown_role_denied if {
	count(rbac.deny) == 1 with input as req("guest", "plan") with data.maestro.config.rbac as fixture
}

test_no_map_denies if {
	count(rbac.deny) == 1 with input as req("admin", "run")
}
