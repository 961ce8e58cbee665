"""The file system's mount targets: one in each Availability Zone the tasks run in.

A task reaches EFS through the mount target of its own zone, so every zone of the tasks' subnets
(ecs-params', or the default VPC's) gets one (EFS allows one per zone: the first subnet of each
zone is taken). They sit in the project's tasks security group, which admits NFS (2049) from
itself (translate/storage.py) and, in a network of the user's, joins the user's groups on the tasks. `up`
waits until they are available, since a task started before then fails to mount. `down --all`
deletes them always (the security group cannot go while they are in it) and waits until they
are gone; the file system keeps its data, and the next `up` creates them again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compose2ecs.errors import AwsError
from compose2ecs.model import FILE_SYSTEM_ID, tags_dict
from compose2ecs.model.deployed import Action, FieldChange, Operation, ResourceChange, ResourceKind
from compose2ecs.resources import file_system, security_group
from compose2ecs.resources.base import unknown

if TYPE_CHECKING:
    from collections.abc import Callable

    from compose2ecs.resources.base import Execution, Planning, Teardown
    from compose2ecs.resources.run import Run

KIND = ResourceKind.MOUNT_TARGET
# Mount targets no volume needs (the project's group is going) go once the services have moved.
AFTER_SERVICES = frozenset({"delete_mount_target"})


def zones_wanted(zones: dict[str, str]) -> dict[str, str]:
    """Zone -> the first of its subnets (in the order the network was read)."""
    out: dict[str, str] = {}
    for subnet, zone in zones.items():
        out.setdefault(zone, subnet)
    return out


def plan(planning: Planning) -> list[ResourceChange]:
    spec = planning.desired.file_system
    if spec is None:
        return _unneeded(planning)
    state = planning.deployed.file_system or {}
    have = {str(t.get("AvailabilityZoneName", "")) for t in state.get("MountTargets", [])}
    have |= {str(t.get("SubnetId", "")) for t in state.get("MountTargets", [])}
    network = planning.deployed.network
    named = planning.desired.awsvpc_ids("subnets")
    # The tasks' subnets: those ecs-params names (in its order), else the default VPC's.
    zones = {s: network.subnet_zones.get(s, s) for s in named} if named else network.default_zones or {}
    wanted = zones_wanted(zones)
    out = []
    for zone, subnet in sorted(wanted.items()):
        label = f"{spec.name} in {zone}"
        if zone in have or subnet in have:
            out.append(ResourceChange(KIND, label, Action.NO_CHANGE))
            continue
        create = Operation("create_mount_target", label, (subnet, zone))
        out.append(
            ResourceChange(
                KIND,
                label,
                Action.CREATE,
                (FieldChange("subnet", "added", None, subnet),),
                operations=(create,),
            )
        )
    return out


def _unneeded(planning: Planning) -> list[ResourceChange]:
    """The kept file system's mount targets, when the files mount no volume and its group goes."""
    state = planning.deployed.file_system
    if state is None or not planning.desired.owner.owns(tags_dict(state.get("Tags"))):
        return []
    file_system_id = str(state["FileSystemId"])
    return [
        ResourceChange(
            KIND,
            f"{file_system_id} in {target.get('AvailabilityZoneName', target.get('SubnetId'))}",
            Action.DELETE,
            reason="no volume needs it, and the security group it is in goes (the data stays)",
            operations=(
                Operation(
                    "delete_mount_target",
                    str(target["MountTargetId"]),
                    (str(target["MountTargetId"]), file_system_id),
                ),
            ),
        )
        for target in state.get("MountTargets", [])
    ]


def execute(change: ResourceChange, execution: Execution) -> None:
    gateway = execution.run.gateway
    for operation in change.operations:
        if operation.call == "delete_mount_target":
            target_id, file_system_id = operation.args
            gateway.delete_mount_target(target_id)
            execution.did(operation, f"deleted mount target {target_id} ({change.reason})")
            _wait_gone(execution.run, file_system_id, target_id)
            continue
        if operation.call != "create_mount_target":
            raise unknown(operation)
        subnet, zone = operation.args
        file_system_id = execution.known[FILE_SYSTEM_ID]
        group = security_group.tasks_group_id(execution)
        try:
            created = gateway.create_mount_target(file_system_id, subnet, [group] if group else [])
        except AwsError as error:
            # A create whose answer was lost made it (EFS allows one per zone): wait for it below.
            if error.code != "MountTargetConflict":
                raise
            created = "(made by an earlier attempt)"
        execution.did(operation, f"created mount target {created} of {file_system_id} in {zone} ({subnet})")
        _wait_available(execution.run, file_system_id)


def _wait_available(run: Run, file_system_id: str) -> None:
    """Until every mount target is available: a task mounting before then fails to start."""
    _wait_until(
        run,
        file_system_id,
        lambda t: t.get("LifeCycleState", "available") != "available",
        "to be available",
        "run `compose2ecs up` again later",
    )


def _wait_until(
    run: Run, file_system_id: str, waiting: Callable[[dict[str, Any]], bool], what: str, hint: str
) -> None:
    """Poll the file system's mount targets until none is `waiting`, within the run's timeout."""
    deadline = run.clock() + run.options.timeout
    while pending := [t for t in run.gateway.describe_mount_targets(file_system_id) if waiting(t)]:
        if run.clock() >= deadline:
            raise AwsError(
                "elasticfilesystem:DescribeMountTargets",
                f"{len(pending)} mount target(s) of {file_system_id} are still waiting {what} after "
                f"{run.options.timeout:.0f} s",
                resource=file_system_id,
                hint=hint,
            )
        run.progress.step(f"waiting for {len(pending)} mount target(s) of {file_system_id} {what}")
        run.sleep(run.options.poll_interval)


def remove(teardown: Teardown) -> None:
    """Always (the tasks' security group goes after them), and wait until they are gone."""
    state = file_system.state_for_teardown(teardown)
    if state is None:
        return
    file_system_id = str(state["FileSystemId"])
    targets: list[dict[str, Any]] = state.get("MountTargets", [])
    for target in targets:
        target_id = str(target["MountTargetId"])
        teardown.run.gateway.delete_mount_target(target_id)
        teardown.run.wrote("delete_mount_target", target_id, f"deleted mount target {target_id}")
    if targets:
        _wait_gone(teardown.run, file_system_id)
        state["MountTargets"] = []


def _wait_gone(run: Run, file_system_id: str, target_id: str | None = None) -> None:
    """Until the file system has no mount targets (or not `target_id`): their group can go then."""
    _wait_until(
        run,
        file_system_id,
        lambda t: target_id is None or t.get("MountTargetId") == target_id,
        "to be deleted",
        "run `compose2ecs down --all` again later",
    )
