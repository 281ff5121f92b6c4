# annotations:
# title: RBAC
# summary: Denies actions the caller's roles do not permit, using the engine's role → permission map.
# examples:
# - input: {"action":"run","actor":{"sub":"ann@acme","roles":["operator"],"tenant":"acme"}}
#   deny: false
# - input: {"action":"run","actor":{"sub":"cid@acme","roles":["composer"],"tenant":"acme"}}
#   deny: true
# - input: {"action":"plan","actor":{"sub":"cid@acme","roles":["composer"],"tenant":"acme"}}
#   deny: false
# - input: {"action":"plan","actor":{"sub":"val@acme","roles":["viewer"],"tenant":"acme"}}
#   deny: true
# - input: {"action":"cancel","actor":{"sub":"ann@acme","roles":["operator"],"tenant":"acme"}}
#   deny: false
package maestro.rbac

import rego.v1

# data.maestro.config.rbac is generated from the engine's ROLE_PERMISSIONS (src/tenancy/roles.ts).
config := data.maestro.config.rbac

# The permission an action needs (an action with no entry needs the permission of the same name).
permission := config.actionPermissions[input.action] if {
	config.actionPermissions[input.action]
} else := input.action

granted contains perm if {
	some role in input.actor.roles
	some perm in config.rolePermissions[role]
}

deny contains msg if {
	input.action
	not permission in granted
	msg := sprintf(
		"rbac: %s (role %s) may not %s: it needs the \"%s\" permission",
		[object.get(input, ["actor", "sub"], "(anonymous)"), concat("+", object.get(input, ["actor", "roles"], [])), input.action, permission],
	)
}
