"""Task definition families: one revision registered per change, tagged as the deployment's.

Revisions are immutable except for their tags: a content change registers a new revision, a
tags-only change tags the latest one in place. The plan compares with this deployment's own latest
revision (found by its tags), so a revision registered by hand or by another cluster's deployment
of the same project is never taken for ours, and `down --all` deregisters only the revisions
this deployment registered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compose2ecs.model import ecs_tags, family_of, resolve, tags_dict
from compose2ecs.model.deployed import Action, Operation, ResourceChange, ResourceKind
from compose2ecs.plan.diff import diff_fields
from compose2ecs.plan.normalize import normalize_task_definition
from compose2ecs.resources import role
from compose2ecs.resources.base import (
    ecs_tag_operations,
    is_tag,
    planned_placeholders,
    run_tag_operation,
    unknown,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from compose2ecs.resources.base import Execution, Planning, Teardown

KIND = ResourceKind.TASK_DEFINITION


def plan(planning: Planning) -> list[ResourceChange]:
    """CREATE, NEW_REVISION on any content change, UPDATE on a tags-only change."""
    desired = planning.desired
    known = planned_placeholders(planning)
    return [
        _plan_family(
            resolve(request, known), planning.deployed.task_definitions.get(request["family"]), desired.tags
        )
        for request in desired.task_definitions
    ]


def _plan_family(
    request: dict[str, Any], latest: Mapping[str, Any] | None, project_tags: dict[str, str]
) -> ResourceChange:
    family = request["family"]
    register = Operation("register_task_definition", family, (family,))
    if latest is None or latest.get("status", "ACTIVE") != "ACTIVE":
        return ResourceChange(KIND, family, Action.CREATE, operations=(register,))
    changes = diff_fields(normalize_task_definition(latest), normalize_task_definition(request, project_tags))
    if not changes:
        return ResourceChange(KIND, family, Action.NO_CHANGE)
    if all(is_tag(c) for c in changes):
        arn = str(latest.get("taskDefinitionArn", ""))
        operations = ecs_tag_operations(arn, latest.get("tags"), wanted_tags(request, project_tags))
        return ResourceChange(
            KIND, family, Action.UPDATE, tuple(changes), "tags", operations=tuple(operations)
        )
    reason = f"registers {family}:{revision(latest) + 1}" if revision(latest) else ""
    return ResourceChange(KIND, family, Action.NEW_REVISION, tuple(changes), reason, operations=(register,))


def wanted_tags(request: Mapping[str, Any], project_tags: dict[str, str]) -> dict[str, str]:
    """The deployment's tags, then the resource's own."""
    return {**project_tags, **tags_dict(request.get("tags"))}


def revision(definition: Mapping[str, Any] | None) -> int:
    number = (definition or {}).get("revision")
    return number if isinstance(number, int) else 0


def execute(change: ResourceChange, execution: Execution) -> None:
    for operation in change.operations:
        if run_tag_operation(operation, execution, change.name):
            continue
        if operation.call != "register_task_definition":
            raise unknown(operation)
        registered = execution.run.gateway.register_task_definition(
            _registration(operation.args[0], execution)
        )
        arn = str(registered["taskDefinitionArn"])
        label = f"{change.name}:{registered.get('revision', arn.rsplit(':', 1)[-1])}"
        execution.run.wrote("register_task_definition", label, f"registered {label}")
        execution.task_definition_arns[change.name] = arn


def _registration(family: str, execution: Execution) -> dict[str, Any]:
    desired = execution.desired
    request = next(r for r in desired.task_definitions if r["family"] == family)
    registration: dict[str, Any] = resolve(dict(request), execution.known)  # the file system's ids
    managed = {spec.name for spec in desired.roles}
    for key in ("executionRoleArn", "taskRoleArn"):
        name = registration.get(key)
        # Translate names the roles it manages by name; ECS wants the ARN, known once they exist.
        if isinstance(name, str) and name in managed and (arn := role.arn_of(name, execution)):
            registration[key] = arn
    registration["tags"] = ecs_tags(wanted_tags(request, desired.tags))
    return registration


def arn_to_run(family: str, execution: Execution) -> str:
    """The revision a service of `family` runs: the one registered by this run, else the latest."""
    if family in execution.task_definition_arns:
        return execution.task_definition_arns[family]
    latest = execution.deployed.task_definitions.get(family)
    return str(latest["taskDefinitionArn"]) if latest and "taskDefinitionArn" in latest else family


def remove(teardown: Teardown) -> None:
    """Only the revisions this deployment registered (its tags): never one made by hand or elsewhere."""
    run, own = teardown.run, teardown.deployed.tagged.task_definitions
    families = {str(r["family"]) for r in teardown.desired.task_definitions} | {family_of(a) for a in own}
    for family in sorted(families):
        active = run.gateway.list_task_definition_arns(family, "ACTIVE")
        others = [arn for arn in active if arn not in own]
        for arn in active:
            if arn in own:
                run.gateway.deregister_task_definition(arn)
                run.wrote("deregister_task_definition", arn, f"deregistered {arn.rsplit('/', 1)[-1]}")
        if others:
            teardown.kept(f"{len(others)} revision(s) of task definition family {family}")
