"""Named volumes kept on the project's own EFS file system (ecs-params `storage: efs`, the default).

Compose keeps a named volume across `down` and `up`; task storage is lost with every task. So a
named volume becomes a directory `/<volume>` of one encrypted file system per deployment,
reached through an access point of its own (transit encryption and IAM authorization), unless
ecs-params names an existing file system for it (`efs_volumes`) or asks for task storage
(`task_definition.volumes.<name>.storage: task`). One file system, not one per volume: the
mount targets (one per Availability Zone) and the NFS rule are shared, and a volume removed from
the files keeps its data in its directory until `down --all --volumes`.

The directory's owner: ecs-params `uid`/`gid`, else the numeric `user:` of the service that
writes to it; then every access acts as that user (the access point's POSIX user). Unknown, the
directory is created by root, open to all (0777) and the container's root user keeps root access,
as in a Docker volume: an image whose entrypoint chowns its data directory (postgres, mysql) works.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compose2ecs.model import (
    FILE_SYSTEM_ARN,
    FILE_SYSTEM_ID,
    AccessPointSpec,
    FileSystemSpec,
    PortRule,
    RoleSpec,
    access_point_arn,
    access_point_id,
)
from compose2ecs.translate import iam, names
from compose2ecs.translate.report import MAPPED, REJECTED

if TYPE_CHECKING:
    from collections.abc import Collection

    from compose2ecs.model import DesiredState, EcsParams
    from compose2ecs.translate.container import Container
    from compose2ecs.translate.report import Report

NFS_PORT = 2049
_ACCESS_POINT_PATH_MAX = 100  # EFS's limit for RootDirectory.Path
_KNOWN_OWNER_PERMISSIONS = "0755"
_UNKNOWN_OWNER_PERMISSIONS = "0777"
_CLIENT_ACTIONS = ("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite")
_ROOT_ACCESS = "elasticfilesystem:ClientRootAccess"


def on_file_system(source: str, params: EcsParams) -> bool:
    """A named volume goes on the project's file system: no efs_volumes entry, not task storage."""
    if any(v.name == source for v in params.efs_volumes):
        return False
    choice = params.volumes.get(source)
    return choice is None or choice.storage == "efs"


def volume_configuration(source: str) -> dict[str, Any]:
    """The task volume's efsVolumeConfiguration; the ids are filled in once the file system exists."""
    return {
        "fileSystemId": FILE_SYSTEM_ID,
        "transitEncryption": "ENABLED",
        "authorizationConfig": {"accessPointId": access_point_id(source), "iam": "ENABLED"},
    }


def plan_file_system(
    desired: DesiredState,
    containers: list[Container],
    params: EcsParams,
    declared: Collection[str],
    report: Report,
) -> None:
    """The file system, its access points, the NFS rule and the task role, for the volumes on it."""
    writers: dict[str, list[Container]] = {}
    where: dict[str, tuple[str | int, ...]] = {}  # the key the report names: the volume, or its first mount
    for container in containers:
        for mount in container.mounts:
            if mount.kind == "named" and mount.source and on_file_system(mount.source, params):
                writers.setdefault(mount.source, []).append(container)
                where.setdefault(
                    mount.source, ("volumes", mount.source) if mount.source in declared else mount.path
                )
    if not writers:
        return
    if not desired.uses_project_network and not desired.awsvpc_ids("securityGroups"):
        for source in sorted(writers):
            report.add(
                where[source],
                f"volume {source}: the file system's mount targets go in the project's security group, "
                "which joins the tasks' groups, and ecs-params names none (the tasks would lose the "
                "VPC's default group)",
                REJECTED,
                "efs-in-user-network",
                "list the tasks' security groups in run_params.network_configuration.awsvpc_configuration."
                f"security_groups, name an existing file system in an efs_volumes entry named {source}, "
                f"or keep the volume in task storage (task_definition.volumes.{source}.storage: task)",
            )
        return
    points = tuple(
        _access_point(source, users, params, report, where[source])
        for source, users in sorted(writers.items())
    )
    desired.file_system = FileSystemSpec(
        name=f"{desired.project}.{desired.cluster}",
        creation_token=desired.owner.creation_token,
        access_points=points,
    )
    # The mount targets are in the project's tasks group (in a network of the user's, it joins
    # the user's groups on the tasks): it admits NFS from itself.
    nfs = PortRule(NFS_PORT, "tcp", source="self")
    if nfs not in desired.ingress:
        desired.ingress.append(nfs)


def _access_point(
    source: str, users: list[Container], params: EcsParams, report: Report, path: tuple[str | int, ...]
) -> AccessPointSpec:
    choice = params.volumes.get(source)
    uid, gid, origin = (choice.uid, choice.gid, "ecs-params") if choice else (None, None, "")
    if uid is None:
        for container in users:
            user = _numeric_user(container.definition.get("user"))
            if user is not None:
                uid, gid = user[0], user[1] if gid is None else gid
                origin = f"the user of service {container.service}"
                break
    permissions = (choice.permissions if choice else None) or (
        _KNOWN_OWNER_PERMISSIONS if uid is not None else _UNKNOWN_OWNER_PERMISSIONS
    )
    where = (
        f"owned by {uid}:{gid if gid is not None else uid} ({origin}), which every access acts as"
        if uid is not None
        else "created by root with mode 0777; the container's root user keeps root access"
    )
    report.add(
        path,
        f"volume {source} is kept on the project's EFS file system (directory {directory(source)}, {where}); "
        "it survives deployments and `down --all`, and `down --all --volumes` deletes it",
        MAPPED,
        "efs-volume",
    )
    return AccessPointSpec(
        volume=source,
        path=directory(source),
        uid=uid,
        gid=gid,
        permissions=permissions,
        owner_source=origin or "unknown",
    )


def directory(source: str) -> str:
    """The volume's directory, `/<volume>`: shortened with a digest past EFS's 100 characters."""
    path = f"/{source}"
    if len(path) <= _ACCESS_POINT_PATH_MAX:
        return path
    import hashlib  # noqa: PLC0415 - rare

    digest = hashlib.sha256(source.encode()).hexdigest()[:10]
    return f"/{source[: _ACCESS_POINT_PATH_MAX - 12]}-{digest}"


def _as_root(point: AccessPointSpec) -> bool:
    """No owner known (the client's root acts as root), or one of uid 0 or gid 0, which EFS treats as root."""
    return point.uid is None or point.uid == 0 or point.gid == 0


def _numeric_user(user: Any) -> tuple[int, int | None] | None:
    """`1000` or `1000:1000` (a name cannot be resolved without the image's /etc/passwd)."""
    if not isinstance(user, str) or not user:
        return None
    name, _, group = user.partition(":")
    if not name.isdigit() or (group and not group.isdigit()):
        return None
    return int(name), int(group) if group else None


def task_role(desired: DesiredState, params: EcsParams, report: Report) -> None:
    """The task role that may mount the file system through exactly its access points.

    ecs-params `task_role_arn` wins: that role is the user's, so compose2ecs only says what it needs.
    """
    spec = desired.file_system
    if spec is None:
        return
    # Root access only through the access points whose owner is unknown (see the module docstring).
    groups = (
        (list(_CLIENT_ACTIONS), [ap for ap in spec.access_points if not _as_root(ap)]),
        ([*_CLIENT_ACTIONS, _ROOT_ACCESS], [ap for ap in spec.access_points if _as_root(ap)]),
    )
    actions = groups[1][0] if groups[1][1] else groups[0][0]
    if params.task_role_arn:
        report.add(
            ("task_definition", "task_role_arn"),
            "the task role must allow " + ", ".join(actions) + " on the project's file system",
            MAPPED,
            "efs-task-role",
            warn=True,
        )
        return
    name = names.task_role(desired.project)
    statements = [
        {
            "Effect": "Allow",
            "Action": group_actions,
            "Resource": FILE_SYSTEM_ARN,
            "Condition": {
                "StringEquals": {
                    "elasticfilesystem:AccessPointArn": [access_point_arn(ap.volume) for ap in points]
                }
            },
        }
        for group_actions, points in groups
        if points
    ]
    desired.roles.append(
        RoleSpec(
            name=name,
            path="/",
            # ECS tasks of the account only, whatever the execution role's file lets assume it
            trust_policy=iam.with_source_conditions(_ECS_TASKS_TRUST),
            managed_policy_arns=(),
            inline_policies={desired.owner.policy_name: {"Version": "2012-10-17", "Statement": statements}},
        )
    )
    mounted = {FILE_SYSTEM_ID}
    for request in desired.task_definitions:
        uses = any(
            v.get("efsVolumeConfiguration", {}).get("fileSystemId") in mounted
            for v in request.get("volumes", [])
        )
        if uses:
            request["taskRoleArn"] = name


_ECS_TASKS_TRUST: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
