# The admission decision: every pack's denials and warnings, and the verdict.
package maestro.decision

import rego.v1

import data.maestro.budget
import data.maestro.quota
import data.maestro.rbac
import data.maestro.residency
import data.maestro.resources
import data.maestro.sandbox

deny := rbac.deny | quota.deny | budget.deny | residency.deny | resources.deny | sandbox.deny

warn := quota.warn | budget.warn

default allow := false

allow if count(deny) == 0

result := {
	"allow": allow,
	"deny": deny,
	"warn": warn,
	"quota": {"remaining": quota.remaining},
	"budget": {"projectedUSD": budget.projected},
}
