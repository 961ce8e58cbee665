"""One EFS access point per named volume: its directory on the file system, and its POSIX owner.

An access point carries the volume's name in a tag (VOLUME_TAG), which is how `up` finds it
again. Access points cannot be changed: a different directory or owner creates a new one (the
task definition then names it) and deletes the old one after the services have moved. The
access point of a volume no longer in the files goes the same way; its directory, and the data
in it, stays on the file system until `down --all --volumes`.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from compose2ecs.model import FILE_SYSTEM_ID, VOLUME_TAG, access_point_arn, access_point_id, tags_dict
from compose2ecs.model.deployed import Action, FieldChange, Operation, ResourceChange, ResourceKind
from compose2ecs.plan.diff import diff_fields
from compose2ecs.resources import file_system
from compose2ecs.resources.base import point_matches, unknown

if TYPE_CHECKING:
    from compose2ecs.model import AccessPointSpec, FileSystemSpec
    from compose2ecs.resources.base import Execution, Planning, Teardown

KIND = ResourceKind.ACCESS_POINT
# The old access point goes once the services use the new one.
AFTER_SERVICES = frozenset({"delete_access_point"})


def _comparable(point: dict[str, Any]) -> dict[str, Any]:
    """What an access point is: its directory, who creates it, whom every access acts as."""
    return {
        "RootDirectory": point.get("RootDirectory", {}),
        "PosixUser": point.get("PosixUser"),
    }


def _label(spec: FileSystemSpec, volume: str) -> str:
    return f"{spec.name}:/{volume}"


def plan(planning: Planning) -> list[ResourceChange]:
    spec = planning.desired.file_system
    if spec is None:
        return []
    state = planning.deployed.file_system or {}
    existing: dict[str, list[dict[str, Any]]] = {}
    for point in state.get("AccessPoints", []):
        volume = tags_dict(point.get("Tags")).get(VOLUME_TAG)
        if volume is not None:
            existing.setdefault(volume, []).append(point)
    out = []
    for point_spec in spec.access_points:
        wanted = _comparable(point_spec.request("", {}))
        found = existing.pop(point_spec.volume, [])
        same = [p for p in found if point_matches(p, point_spec)]
        stale = [p for p in found if p not in same[:1]]
        deletes = tuple(_delete(p, point_spec.volume) for p in stale)
        label = _label(spec, point_spec.volume)
        if same:
            action = Action.UPDATE if deletes else Action.NO_CHANGE
            reason = "a second access point of the volume" if deletes else ""
            out.append(ResourceChange(KIND, label, action, (), reason, operations=deletes))
            continue
        create = Operation("create_access_point", label, (point_spec.volume,))
        if not found:
            out.append(ResourceChange(KIND, label, Action.CREATE, operations=(create,)))
            continue
        changes = tuple(diff_fields(_comparable(found[0]), wanted))
        # Not REPLACE (which deletes first): the new one is made, and the old goes after the services.
        reason = f"a new access point replaces {found[0]['AccessPointId']}: access points cannot change"
        out.append(ResourceChange(KIND, label, Action.UPDATE, changes, reason, operations=(create, *deletes)))
    for volume, points in sorted(existing.items()):
        # The volume left the files: its access point goes, its directory stays.
        out.append(
            ResourceChange(
                KIND,
                _label(spec, volume),
                Action.DELETE,
                (FieldChange("volume", "removed", volume),),
                "no service mounts the volume; its data stays on the file system",
                operations=tuple(_delete(p, volume) for p in points),
            )
        )
    return out


def _delete(point: dict[str, Any], volume: str) -> Operation:
    return Operation(
        "delete_access_point", str(point["AccessPointId"]), (str(point["AccessPointId"]), volume)
    )


def client_token(spec: FileSystemSpec, point: AccessPointSpec, request: dict[str, Any]) -> str:
    """The same access point asked for again (a retry) is the same request: EFS makes it once."""
    digest = hashlib.sha256(f"{spec.creation_token}|{point.volume}|{request}".encode()).hexdigest()
    return digest[:64]


def execute(change: ResourceChange, execution: Execution) -> None:
    spec = execution.desired.file_system
    for operation in change.operations:
        if operation.call == "delete_access_point":
            point_id, volume = operation.args
            execution.run.gateway.delete_access_point(point_id)
            execution.did(operation, f"deleted access point {point_id} of volume {volume}")
            continue
        if operation.call != "create_access_point" or spec is None:
            raise unknown(operation)
        (volume,) = operation.args
        point = next(p for p in spec.access_points if p.volume == volume)
        tags = {**execution.desired.tags, VOLUME_TAG: volume, "Name": change.name}
        request = point.request(execution.known[FILE_SYSTEM_ID], tags)
        created = execution.run.gateway.create_access_point(request, client_token(spec, point, request))
        execution.known[access_point_id(volume)] = str(created["AccessPointId"])
        execution.known[access_point_arn(volume)] = str(created.get("AccessPointArn", ""))
        acting = (
            ""
            if point.uid is None
            else f", as {point.uid}:{point.gid if point.gid is not None else point.uid}"
        )
        execution.did(
            operation,
            f"created access point {created['AccessPointId']} for volume {volume} ({point.path}{acting})",
        )


def remove(teardown: Teardown) -> None:
    """With `--volumes` only: the file system cannot go while it has access points."""
    state = file_system.state_for_teardown(teardown)
    if state is None:
        return
    teardown.file_system_volumes = file_system.volumes_on(state)
    if not teardown.volumes:
        return
    for point in state.get("AccessPoints", []):
        point_id = str(point["AccessPointId"])
        teardown.run.gateway.delete_access_point(point_id)
        teardown.run.wrote("delete_access_point", point_id, f"deleted access point {point_id}")
