# Sandbox: tenants that require it, and any task with network access, must run under bwrap.
package maestro.sandbox

import rego.v1

sandboxed if input.runner.sandbox == "bwrap"

required if input.tenant.requireSandbox

required if {
	some task in input.workflow.tasks
	task.network == true
}

deny contains msg if {
	required
	not sandboxed
	msg := sprintf("workflow %s must run sandboxed (runner sandbox is %q)", [input.workflow.name, input.runner.sandbox])
}
