"""The deployment's EFS file system, which holds its named volumes (translate/storage.py).

Found by its creation token, which also makes a retried CreateFileSystem find the first one's
file system instead of making a second. `up` creates it and never deletes it: like a compose
volume, the data outlives a volume removed from the files and `down --all`. Only
`down --all --volumes` deletes it, once its mount targets (mount_target.py) and access points
(access_point.py) are gone, and says which volumes' data went with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from compose2ecs.model import FILE_SYSTEM_ARN, FILE_SYSTEM_ID, VOLUME_TAG, tags_dict
from compose2ecs.model.deployed import Action, Operation, ResourceChange, ResourceKind
from compose2ecs.resources.base import unknown, unless_denied

if TYPE_CHECKING:
    from typing import Any

    from compose2ecs.resources.base import Execution, Planning, Teardown

KIND = ResourceKind.FILE_SYSTEM


def plan(planning: Planning) -> list[ResourceChange]:
    spec = planning.desired.file_system
    if spec is None:
        return []
    state = planning.deployed.file_system
    if state is not None and state.get("LifeCycleState", "available") == "creating":
        # An earlier run was stopped while EFS made it: wait, or its access points are refused.
        wait = Operation("wait_for_file_system", spec.name, (str(state["FileSystemId"]),))
        return [ResourceChange(KIND, spec.name, Action.UPDATE, (), "still being created", operations=(wait,))]
    if state is not None:
        return [ResourceChange(KIND, spec.name, Action.NO_CHANGE)]
    tags = {**planning.desired.tags, "Name": spec.name}
    create = Operation("create_file_system", spec.name, (spec.creation_token, tags))
    return [ResourceChange(KIND, spec.name, Action.CREATE, operations=(create,))]


def execute(change: ResourceChange, execution: Execution) -> None:
    for operation in change.operations:
        if operation.call == "wait_for_file_system":
            execution.run.progress.step(f"waiting for file system {change.name} to be available")
            execution.run.gateway.wait_for_file_system(*operation.args)
            continue
        if operation.call != "create_file_system":
            raise unknown(operation)
        created = execution.run.gateway.create_file_system(*operation.args)
        file_system_id = str(created["FileSystemId"])
        execution.known[FILE_SYSTEM_ID] = file_system_id
        execution.known[FILE_SYSTEM_ARN] = str(created.get("FileSystemArn", ""))
        execution.did(operation, f"created file system {change.name} ({file_system_id}), encrypted")


def state_for_teardown(teardown: Teardown) -> dict[str, Any] | None:
    """The deployment's file system, read now if the files no longer name one (once per `down`)."""
    deployed = teardown.deployed
    if deployed.file_system is None and not teardown.file_system_read:
        teardown.file_system_read = True
        token = teardown.desired.owner.creation_token
        deployed.file_system = unless_denied(lambda: teardown.run.gateway.read_file_system(token))
    state = deployed.file_system
    if state is None or not teardown.ours(tags_dict(state.get("Tags"))):
        return None
    return state


def volumes_on(state: dict[str, Any]) -> list[str]:
    return sorted(
        {v for p in state.get("AccessPoints", []) if (v := tags_dict(p.get("Tags")).get(VOLUME_TAG))}
    )


def remove(teardown: Teardown) -> None:
    """With `--volumes` only, after its access points and mount targets (REMOVAL_ORDER)."""
    state = state_for_teardown(teardown)
    if state is None:
        return
    file_system_id = str(state["FileSystemId"])
    name = tags_dict(state.get("Tags")).get("Name", file_system_id)
    volumes = ", ".join(teardown.file_system_volumes) or "none"
    if not teardown.volumes:
        teardown.run.progress.step(
            f"kept file system {name} ({file_system_id}) with the data of volume(s) {volumes}: "
            "`down --all --volumes` deletes it"
        )
        return
    teardown.run.gateway.delete_file_system(file_system_id)
    teardown.run.wrote(
        "delete_file_system",
        file_system_id,
        f"deleted file system {name} ({file_system_id}) and the data of volume(s) {volumes}",
    )
