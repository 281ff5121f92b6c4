# annotations:
# title: Resource class
# summary: Denies requests for a resource class above what the caller's role allows (viewer none, composer up to medium, operator up to large, admin up to xlarge).
# examples:
# - input: {"actor":{"roles":["composer"]},"request":{"resourceClass":"medium"}}
#   deny: false
# - input: {"actor":{"roles":["composer"]},"request":{"resourceClass":"large"}}
#   deny: true
# - input: {"actor":{"roles":["operator"]},"request":{"resourceClass":"large"}}
#   deny: false
# - input: {"actor":{"roles":["viewer"]},"request":{"resourceClass":"small"}}
#   deny: true
# - input: {"actor":{"roles":["admin"]},"request":{"resourceClass":"xlarge"}}
#   deny: false
package maestro.resource_class

import rego.v1

exempt if input.action in {"cancel", "read", "status", "logs", "validate"}

# The class ranks and each role's largest class; data.maestro.config["resource-class"] overrides them.
config := object.union(default_config, data.maestro.config["resource-class"]) if {
	is_object(data.maestro.config["resource-class"])
} else := default_config

default_config := {
	"rank": {"small": 1, "medium": 2, "large": 3, "xlarge": 4},
	"maxClassByRole": {"viewer": null, "composer": "medium", "operator": "large", "admin": "xlarge"},
}

requested := input.request.resourceClass

# The largest class any of the actor's roles allows (0 = none).
allowance := max(ranks)

ranks contains 0

ranks contains rank if {
	some role in input.actor.roles
	rank := role_rank(role)
}

role_rank(role) := config.rank[config.maxClassByRole[role]] if {
	config.rank[config.maxClassByRole[role]]
} else := 0

deny contains msg if {
	not exempt
	requested
	not config.rank[requested]
	msg := sprintf("resource-class: unknown resource class \"%s\" (known: %s)", [requested, concat(", ", sort(object.keys(config.rank)))])
}

deny contains msg if {
	not exempt
	config.rank[requested] > allowance
	msg := sprintf("resource-class: %s %s; the workflow asks for %s", [roles_text, allowed_text, requested])
}

roles_text := sprintf("role %s", [concat("+", object.get(input, ["actor", "roles"], []))])

allowed_text := "may not request any resource class" if {
	allowance == 0
} else := sprintf("may request at most %s", [name]) if {
	some name, rank in config.rank
	rank == allowance
}
