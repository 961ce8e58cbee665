"""The SSM parameters that carry configs and host files into the task (translate/files.py).

Each is a SecureString under the deployment's prefix `/compose2ecs/files/<project>/<cluster>/`,
named after the digest of the file's content: a changed file is a new parameter (and a new task
definition revision), an unchanged one is left alone, and nothing is ever overwritten. What is
under the prefix is the deployment's: a parameter no task definition names any more is deleted
once the services have moved off it, and `down --all` deletes them all. Values are never read
back, printed or logged; the plan names parameters only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from compose2ecs.model.deployed import Action, Operation, ResourceChange, ResourceKind
from compose2ecs.resources.base import unknown, unless_denied

if TYPE_CHECKING:
    from compose2ecs.resources.base import Execution, Planning, Teardown

KIND = ResourceKind.PARAMETER
# The running tasks' revision still names the old parameters until the services have moved.
AFTER_SERVICES = frozenset({"delete_parameters"})


def plan(planning: Planning) -> list[ResourceChange]:
    desired = planning.desired
    existing = set(planning.deployed.file_parameters or [])
    out = []
    for parameter in desired.file_parameters:
        if parameter.name in existing:
            out.append(ResourceChange(KIND, parameter.name, Action.NO_CHANGE))
            continue
        # The value travels in the operation, never in a message or the plan's fields.
        put = Operation("put_file_parameter", parameter.name, (parameter.name, parameter.value))
        out.append(ResourceChange(KIND, parameter.name, Action.CREATE, operations=(put,)))
    wanted = {p.name for p in desired.file_parameters}
    stale = sorted(
        name for name in existing if name.startswith(desired.file_parameter_prefix) and name not in wanted
    )
    if stale:
        delete = Operation("delete_parameters", desired.file_parameter_prefix, (stale,))
        out.append(
            ResourceChange(
                KIND,
                f"{desired.file_parameter_prefix}* ({len(stale)} old)",
                Action.DELETE,
                reason="no task definition names them any more",
                operations=(delete,),
            )
        )
    return out


def execute(change: ResourceChange, execution: Execution) -> None:
    gateway = execution.run.gateway
    for operation in change.operations:
        if operation.call == "put_file_parameter":
            name, value = operation.args
            gateway.put_file_parameter(name, value, execution.desired.tags)
            execution.did(operation, f"stored file parameter {name}")
        elif operation.call == "delete_parameters":
            (names,) = operation.args
            gateway.delete_parameters(names)
            execution.did(operation, f"deleted {len(names)} old file parameter(s)")
        else:
            raise unknown(operation)


def remove(teardown: Teardown) -> None:
    """Every parameter under the deployment's prefix: copies of files, no data of the app's."""
    prefix = teardown.desired.file_parameter_prefix
    names = unless_denied(lambda: teardown.run.gateway.list_parameters(prefix))
    if names:
        teardown.run.gateway.delete_parameters(names)
        teardown.run.wrote(
            "delete_parameters", prefix, f"deleted {len(names)} file parameter(s) under {prefix}"
        )
