package maestro.resource_class_test

import rego.v1

import data.maestro.resource_class

req(role, class) := {"action": "run", "actor": {"sub": "u@acme", "roles": [role]}, "request": {"resourceClass": class}}

test_composer_up_to_medium if {
	count(resource_class.deny) == 0 with input as req("composer", "small")
	count(resource_class.deny) == 0 with input as req("composer", "medium")
	resource_class.deny == {"resource-class: role composer may request at most medium; the workflow asks for large"} with input as req("composer", "large")
}

test_operator_up_to_large if {
	count(resource_class.deny) == 0 with input as req("operator", "large")
	count(resource_class.deny) == 1 with input as req("operator", "xlarge")
}

test_admin_up_to_xlarge if {
	count(resource_class.deny) == 0 with input as req("admin", "xlarge")
}

test_viewer_gets_nothing if {
	resource_class.deny == {"resource-class: role viewer may not request any resource class; the workflow asks for small"} with input as req("viewer", "small")
}

test_unknown_class_denied if {
	count(resource_class.deny) == 1 with input as req("admin", "huge")
}

test_allowance_is_data if {
	count(resource_class.deny) == 0 with input as req("composer", "large") with data.maestro.config["resource-class"] as {"maxClassByRole": {"composer": "large"}}
}
