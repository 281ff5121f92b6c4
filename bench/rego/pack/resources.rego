# Resource classes by role: the largest class each role may request, per task.
package maestro.resources

import rego.v1

class_rank := {"small": 1, "medium": 2, "large": 3, "xlarge": 4}

role_max_class := {"viewer": "small", "composer": "medium", "operator": "large", "admin": "xlarge"}

actor_max_rank := max({class_rank[role_max_class[r]] | some r in input.actor.roles; role_max_class[r]})

task_class(task) := object.get(task, "resourceClass", input.request.resourceClass)

deny contains msg if {
	some task in input.workflow.tasks
	not class_rank[task_class(task)]
	msg := sprintf("task %s asks for unknown resource class %q", [task.id, task_class(task)])
}

deny contains msg if {
	some task in input.workflow.tasks
	class_rank[task_class(task)] > actor_max_rank
	msg := sprintf("task %s needs %s, above what roles %v may request", [task.id, task_class(task), input.actor.roles])
}

large_tasks := count([t | some t in input.workflow.tasks; class_rank[task_class(t)] >= 3])
