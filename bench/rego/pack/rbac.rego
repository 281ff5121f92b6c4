# RBAC: which roles may perform which actions (viewer ⊂ composer ⊂ operator ⊂ admin).
package maestro.rbac

import rego.v1

role_rank := {"viewer": 1, "composer": 2, "operator": 3, "admin": 4}

action_min_role := {
	"read": "viewer",
	"validate": "composer",
	"plan": "composer",
	"run": "operator",
	"cancel": "operator",
	"tenant:manage": "admin",
}

actor_rank := max({role_rank[r] | some r in input.actor.roles; role_rank[r]})

required_rank := role_rank[action_min_role[input.action]]

default allow := false

allow if actor_rank >= required_rank

deny contains msg if {
	not action_min_role[input.action]
	msg := sprintf("unknown action %q", [input.action])
}

deny contains msg if {
	action_min_role[input.action]
	not allow
	msg := sprintf("%s (roles %v) may not %s: needs %s", [input.actor.sub, input.actor.roles, input.action, action_min_role[input.action]])
}

deny contains "actor is not a member of the tenant" if input.actor.tenant != input.tenant.id
