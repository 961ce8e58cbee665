"""The Service Connect namespace (a Cloud Map HTTP namespace `<project>.<cluster>`), when used."""

from __future__ import annotations

from typing import TYPE_CHECKING

from compose2ecs.model import tags_dict
from compose2ecs.model.deployed import Action, Operation, ResourceChange, ResourceKind
from compose2ecs.resources.base import perform

if TYPE_CHECKING:
    from compose2ecs.resources.base import Execution, Planning, Teardown

KIND = ResourceKind.NAMESPACE


def plan(planning: Planning) -> list[ResourceChange]:
    name = planning.desired.namespace
    if name is None:
        return []
    state = planning.deployed.namespace
    if state is not None and state.get("Name") == name:
        return [ResourceChange(KIND, name, Action.NO_CHANGE)]
    create = Operation("create_namespace", name, (name, planning.desired.tags))
    return [ResourceChange(KIND, name, Action.CREATE, operations=(create,))]


def execute(change: ResourceChange, execution: Execution) -> None:
    for operation in change.operations:
        perform(operation, execution, {"create_namespace": "created namespace {0}"})


def remove(teardown: Teardown) -> None:
    namespace = teardown.deployed.namespace
    if namespace is None:
        return
    name = str(namespace.get("Name", namespace.get("Id")))
    if not teardown.ours(tags_dict(namespace.get("Tags"))):
        teardown.kept(f"namespace {name}")
        return
    teardown.run.gateway.delete_namespace(str(namespace["Id"]))
    teardown.run.wrote("delete_namespace", name, f"deleted namespace {name}")
