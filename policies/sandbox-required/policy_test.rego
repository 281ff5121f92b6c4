package maestro.sandbox_required_test

import rego.v1

import data.maestro.sandbox_required

req(required, sandbox) := {"action": "run", "tenant": {"name": "acme", "requireSandbox": required}, "runner": {"sandbox": sandbox}}

test_sandboxed_allowed if {
	count(sandbox_required.deny) == 0 with input as req(true, "bwrap")
}

test_unsandboxed_denied_when_required if {
	sandbox_required.deny == {"sandbox-required: tenant acme requires the sandbox, but this run asks for --sandbox none"} with input as req(true, "none")
}

test_unsandboxed_allowed_when_not_required if {
	count(sandbox_required.deny) == 0 with input as req(false, "none")
}

test_required_by_default if {
	count(sandbox_required.deny) == 1 with input as {"action": "run", "tenant": {"name": "acme"}, "runner": {"sandbox": "none"}}
}
