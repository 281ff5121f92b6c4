# annotations:
# title: Sandbox required
# summary: Denies unsandboxed runs (runner sandbox "none") for tenants that require the sandbox, which is the default.
# examples:
# - input: {"tenant":{"name":"acme","requireSandbox":true},"runner":{"sandbox":"bwrap"}}
#   deny: false
# - input: {"tenant":{"name":"acme","requireSandbox":true},"runner":{"sandbox":"none"}}
#   deny: true
# - input: {"tenant":{"name":"acme","requireSandbox":false},"runner":{"sandbox":"none"}}
#   deny: false
package maestro.sandbox_required

import rego.v1

exempt if input.action in {"cancel", "read", "status", "logs", "validate"}

# A tenant requires the sandbox unless it says otherwise.
requires_sandbox if object.get(input, ["tenant", "requireSandbox"], true) == true

deny contains msg if {
	not exempt
	requires_sandbox
	input.runner.sandbox == "none"
	msg := sprintf(
		"sandbox-required: tenant %s requires the sandbox, but this run asks for --sandbox none",
		[object.get(input, ["tenant", "name"], "(unnamed)")],
	)
}
