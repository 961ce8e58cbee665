"""The project security group: the ports its services publish, when ecs-params names no network.

It lives in the region's default VPC, is named `<project>.<cluster>` and carries the deployment's
tags; services without a network of their own get the default VPC's subnets and this group.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from compose2ecs.errors import AwsError
from compose2ecs.model import tags_dict
from compose2ecs.model.deployed import Action, Operation, ResourceChange, ResourceKind
from compose2ecs.plan.diff import set_changes
from compose2ecs.plan.normalize import GRANT_SOURCES, deployed_grants, desired_grants, grant_text
from compose2ecs.resources.base import unknown, updated

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from compose2ecs.plan.normalize import Grant
    from compose2ecs.resources.base import Execution, Planning, Teardown

KIND = ResourceKind.SECURITY_GROUP


def plan(planning: Planning) -> list[ResourceChange]:
    """Needed exactly when no service brings its own network."""
    desired, state = planning.desired, planning.deployed.security_group
    if not desired.uses_project_network:
        return []
    name = desired.security_group_name
    if state is None:
        description = (
            f"compose2ecs project {desired.project} in cluster {desired.cluster}: "
            "the ports its services publish"
        )
        operations = [Operation("create_security_group", name, (name, description, desired.tags))]
        if desired.ingress:
            # The rules name the group itself (`self`), known once it exists.
            operations.append(Operation("authorize_ingress", name))
        return [ResourceChange(KIND, name, Action.CREATE, operations=tuple(operations))]
    group_id = str(state.get("GroupId", ""))
    current = deployed_grants(state.get("IpPermissions", []))
    wanted = desired_grants(desired.ingress, group_id)
    changes = set_changes(
        "ingress", {grant_text(g, group_id) for g in current}, {grant_text(g, group_id) for g in wanted}
    )
    operations = []
    if missing := wanted - current:
        operations.append(
            Operation("authorize_ingress", group_id, (group_id, ip_permissions(missing), _ports(missing)))
        )
    if extra := current - wanted:
        operations.append(
            Operation("revoke_ingress", group_id, (group_id, ip_permissions(extra), _ports(extra)))
        )
    return [updated(KIND, name, changes, "ingress rules", operations)]


def execute(change: ResourceChange, execution: Execution) -> None:
    gateway, name = execution.run.gateway, change.name
    for operation in change.operations:
        match operation.call:
            case "create_security_group":
                group, description, tags = operation.args
                vpc_id, _ = execution.default_vpc()
                execution.group_id = gateway.create_security_group(group, vpc_id, description, tags)
                execution.did(operation, f"created security group {name} ({execution.group_id})")
            case "authorize_ingress" if not operation.args:
                group_id = str(execution.group_id)
                grants = desired_grants(execution.desired.ingress, group_id)
                gateway.authorize_ingress(group_id, ip_permissions(grants))
                execution.run.wrote(
                    "authorize_ingress", group_id, f"opened {_ports(grants)} in security group {name}"
                )
            case "authorize_ingress":
                group_id, permissions, ports = operation.args
                gateway.authorize_ingress(group_id, permissions)
                execution.did(operation, f"opened {ports} in security group {name}")
            case "revoke_ingress":
                group_id, permissions, ports = operation.args
                gateway.revoke_ingress(group_id, permissions)
                execution.did(operation, f"closed {ports} in security group {name}")
            case _:
                raise unknown(operation)


def network_configuration(execution: Execution) -> dict[str, Any] | None:
    """The `networkConfiguration` of a service that names none; None when every service names one."""
    if not execution.desired.uses_project_network:
        return None
    group = execution.deployed.security_group
    group_id = execution.group_id or (str(group["GroupId"]) if group else None)
    _, subnets = execution.default_vpc()
    return awsvpc_configuration(subnets, group_id)


def remove(teardown: Teardown) -> None:
    group = teardown.deployed.security_group
    if group is None:
        return
    group_id = str(group["GroupId"])
    label = f"security group {group.get('GroupName', group_id)} ({group_id})"
    if not teardown.ours(tags_dict(group.get("Tags"))):
        teardown.kept(label)
        return
    _retry_while_in_use(teardown, lambda: teardown.run.gateway.delete_security_group(group_id), group_id)
    teardown.run.wrote("delete_security_group", group_id, f"deleted {label}")


def _retry_while_in_use(teardown: Teardown, delete: Callable[[], None], resource: str) -> None:
    """The stopped tasks' network interfaces are released a few minutes after the service is gone."""
    run = teardown.run
    deadline = run.clock() + run.options.timeout
    while True:
        try:
            delete()
        except AwsError as error:
            if error.code != "DependencyViolation" or run.clock() >= deadline:
                raise
            run.progress.step(f"{resource} is still in use by the tasks' network interfaces; retrying")
            run.sleep(run.options.poll_interval)
        else:
            return


def _ports(grants: set[Any]) -> str:
    ports = sorted({(g[0], g[1], g[2]) for g in grants}, key=lambda p: (p[0], p[1] or 0))
    return ", ".join(
        f"{low}/{proto}" if low == high else f"{low}-{high}/{proto}" for proto, low, high in ports
    )


def ip_permissions(grants: Iterable[Grant]) -> list[dict[str, Any]]:
    """Grants -> EC2 `IpPermissions`, one entry per protocol and port range."""
    grouped: dict[tuple[str, int | None, int | None], dict[str, list[dict[str, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for protocol, low, high, source, value in sorted(grants, key=_grant_order):
        grouped[protocol, low, high][source].append({GRANT_SOURCES[source]: value})
    permissions: list[dict[str, Any]] = []
    for (protocol, low, high), sources in grouped.items():
        permission: dict[str, Any] = {"IpProtocol": protocol}
        if low is not None:
            permission["FromPort"] = low
        if high is not None:
            permission["ToPort"] = high
        permission.update(sources)
        permissions.append(permission)
    return permissions


def _grant_order(grant: Grant) -> tuple[str, int, int, str, str]:
    protocol, low, high, source, value = grant
    return (protocol, -1 if low is None else low, -1 if high is None else high, source, value)


def awsvpc_configuration(subnets: list[str], group_id: str | None) -> dict[str, Any]:
    """The service `networkConfiguration` for the default VPC (public subnets, public registries)."""
    config: dict[str, Any] = {"subnets": sorted(subnets), "assignPublicIp": "ENABLED"}
    if group_id:
        config["securityGroups"] = [group_id]
    return {"awsvpcConfiguration": config}
