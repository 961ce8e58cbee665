"""The project's security groups: the tasks' and the load balancers'.

They are wanted when ecs-params names no network, in the region's default VPC; or, with a network
of the user's, in its VPC when the project has load balancers of its own there (ecs-params
`run_params.load_balancer.subnets`): the tasks then run in the user's groups and the project's
tasks group, which admits only those load balancers. They carry the deployment's tags.

The tasks' group is named `<project>.<cluster>`; services without a network of their own get the
default VPC's subnets and this group. It admits the load balancers' group on the container ports
they forward to and the project's own tasks on theirs (Service Connect), and nothing from the
internet but the ports that have no load balancer (UDP). The load balancers' group,
`<project>.<cluster>.lb`, admits the internet on the listener ports.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, NamedTuple

from compose2ecs.model import PortRule, tags_dict
from compose2ecs.model.deployed import Action, Operation, ResourceChange, ResourceKind
from compose2ecs.plan.diff import set_changes
from compose2ecs.plan.normalize import (
    GRANT_SOURCES,
    LB_GROUP,
    deployed_grants,
    desired_grants,
    grant_text,
)
from compose2ecs.resources.base import retry_while_in_use, unknown, updated

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from compose2ecs.model import DesiredState
    from compose2ecs.model.deployed import DeployedState
    from compose2ecs.plan.normalize import Grant
    from compose2ecs.resources.base import Execution, Planning, Teardown
    from compose2ecs.resources.run import Run

KIND = ResourceKind.SECURITY_GROUP
# A rule the running tasks may still need (the port the load balancer checks them on, the world
# rule of a deployment moving behind a load balancer) is revoked once the services have moved, and
# a load balancers' group no listener needs any more is deleted after its load balancer.
AFTER_SERVICES = frozenset({"revoke_ingress", "delete_security_group"})


class _Group(NamedTuple):
    name: str
    description: str
    rules: list[PortRule]
    state: dict[str, Any] | None
    balancers: bool  # the load balancers' group (else the tasks')


def _groups(desired: DesiredState, planning_state: DeployedState) -> list[_Group]:
    """The groups to plan: the load balancers' first, since the tasks' rules name it."""
    out = []
    if desired.listeners:
        # IPv4: a load balancer compose2ecs creates has IPv4 addresses only (the default VPC has no
        # IPv6 range), so an IPv6 rule would open nothing.
        listened = {(li.port, "tcp"): PortRule(li.port, "tcp", source="ipv4") for li in desired.listeners}
        rules = list(listened.values())
        out.append(
            _Group(
                desired.lb_security_group_name,
                f"compose2ecs project {desired.project} in cluster {desired.cluster}: its load balancers",
                rules,
                planning_state.lb_security_group,
                balancers=True,
            )
        )
    out.append(
        _Group(
            desired.security_group_name,
            f"compose2ecs project {desired.project} in cluster {desired.cluster}: "
            "the ports its services publish",
            _with_listener_groups(desired.ingress, planning_state),
            planning_state.security_group,
            balancers=False,
        )
    )
    return out


def _with_listener_groups(rules: list[PortRule], deployed: DeployedState) -> list[PortRule]:
    """A rule from an existing listener (`listener:ARN`) admits its load balancer's security groups.

    A listener not found admits nothing: the preflight refuses it before any write.
    """
    out = []
    for rule in rules:
        if not rule.source.startswith("listener:"):
            out.append(rule)
            continue
        listener = deployed.foreign_listeners.get(rule.source.removeprefix("listener:")) or {}
        groups = (listener.get("LoadBalancer") or {}).get("SecurityGroups") or []
        out += [rule._replace(source=f"group:{group}") for group in groups]
    return out


def plan(planning: Planning) -> list[ResourceChange]:
    """Needed when no service brings its own network, or for the project's own load balancers."""
    desired, deployed = planning.desired, planning.deployed
    lb_state = deployed.lb_security_group
    if not desired.project_groups:
        # A network of the user's and no load balancer of the project's: groups an earlier
        # deployment had go once the services have left them. The tasks' group goes first (its
        # rules name the load balancers' group, which EC2 refuses to delete while referenced);
        # what runs after the services runs in reverse, so it is listed last.
        tasks = deployed.security_group
        reason = "the tasks run in the security groups of ecs-params"
        return [
            _delete(str(group.get("GroupName") or name), group, reason)
            for group, name in (
                (lb_state, desired.lb_security_group_name),
                (tasks, desired.security_group_name),
            )
            if group is not None and desired.owner.owns(tags_dict(group.get("Tags")))
        ]
    lb_id = str(lb_state["GroupId"]) if lb_state else LB_GROUP
    changes = [_plan_group(group, desired, lb_id) for group in _groups(desired, deployed)]
    if lb_state is not None and not desired.listeners and desired.owner.owns(tags_dict(lb_state.get("Tags"))):
        # No published port left: the load balancers' group goes after its load balancer, and
        # after the tasks' rules that name it are revoked. What runs after the services runs in
        # reverse, so the delete is listed first.
        changes.insert(0, _delete(desired.lb_security_group_name, lb_state, "no load balancer needs it"))
    return changes


def _delete(name: str, state: dict[str, Any], reason: str) -> ResourceChange:
    group_id = str(state["GroupId"])
    delete = Operation("delete_security_group", group_id, (group_id,))
    return ResourceChange(KIND, name, Action.DELETE, reason=reason, operations=(delete,))


def _plan_group(group: _Group, desired: DesiredState, lb_id: str) -> ResourceChange:
    name = group.name
    if group.state is None:
        operations = [Operation("create_security_group", name, (name, group.description, desired.tags))]
        if group.rules:
            # The rules may name the group itself (`self`), known once it exists.
            operations.append(Operation("authorize_ingress", name))
        return ResourceChange(KIND, name, Action.CREATE, operations=tuple(operations))
    group_id = str(group.state.get("GroupId", ""))
    current = deployed_grants(group.state.get("IpPermissions", []))
    wanted = desired_grants(group.rules, group_id, lb_id)
    changes = set_changes(
        "ingress",
        {grant_text(g, group_id, lb_id) for g in current},
        {grant_text(g, group_id, lb_id) for g in wanted},
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
    return updated(KIND, name, changes, "ingress rules", operations)


def execute(change: ResourceChange, execution: Execution) -> None:
    gateway, name = execution.run.gateway, change.name
    balancers = name == execution.desired.lb_security_group_name
    for operation in change.operations:
        match operation.call:
            case "create_security_group":
                group, description, tags = operation.args
                created = gateway.create_security_group(group, execution.tasks_vpc(), description, tags)
                if balancers:
                    execution.lb_group_id = created
                else:
                    execution.group_id = created
                execution.did(operation, f"created security group {name} ({created})")
            case "authorize_ingress" if not operation.args:
                group_id = str(execution.lb_group_id if balancers else execution.group_id)
                rules = _rules_of(name, execution)
                grants = desired_grants(rules, group_id, _lb_group_id(execution))
                gateway.authorize_ingress(group_id, ip_permissions(grants))
                execution.run.wrote(
                    "authorize_ingress", group_id, f"opened {_ports(grants)} in security group {name}"
                )
            case "authorize_ingress":
                group_id, permissions, ports = operation.args
                gateway.authorize_ingress(group_id, _with_lb_group(permissions, _lb_group_id(execution)))
                execution.did(operation, f"opened {ports} in security group {name}")
            case "revoke_ingress":
                group_id, permissions, ports = operation.args
                gateway.revoke_ingress(group_id, permissions)
                execution.did(operation, f"closed {ports} in security group {name}")
            case "delete_security_group":
                (group_id,) = operation.args
                retry_while_in_use(execution.run, _deleter(execution.run, group_id), group_id)
                execution.did(operation, f"deleted security group {name} ({change.reason})")
            case _:
                raise unknown(operation)


def _rules_of(name: str, execution: Execution) -> list[PortRule]:
    groups = _groups(execution.desired, execution.deployed)
    return next(group.rules for group in groups if group.name == name)


def _lb_group_id(execution: Execution) -> str:
    group = execution.deployed.lb_security_group
    return execution.lb_group_id or (str(group["GroupId"]) if group else LB_GROUP)


def _with_lb_group(permissions: list[dict[str, Any]], lb_group_id: str) -> list[dict[str, Any]]:
    """The planned permissions, with the load balancers' group id where the plan could not know it."""
    out = []
    for permission in permissions:
        pairs = permission.get("UserIdGroupPairs")
        if pairs:
            permission = {
                **permission,
                "UserIdGroupPairs": [
                    {"GroupId": lb_group_id} if pair.get("GroupId") == LB_GROUP else pair for pair in pairs
                ],
            }
        out.append(permission)
    return out


def tasks_group_id(execution: Execution) -> str | None:
    """The id of the project's tasks group: created in this run, or found."""
    group = execution.deployed.security_group
    return execution.group_id or (str(group["GroupId"]) if group else None)


def with_project_group(network: dict[str, Any], group: str | None) -> dict[str, Any]:
    """A `networkConfiguration` of ecs-params with the project's tasks group after the user's.

    `group` is its id, or its name in a plan made before it exists.
    """
    awsvpc = dict(network.get("awsvpcConfiguration") or {})
    if group and group not in (awsvpc.get("securityGroups") or []):
        awsvpc["securityGroups"] = [*(awsvpc.get("securityGroups") or []), group]
    return {**network, "awsvpcConfiguration": awsvpc}


def network_configuration(execution: Execution) -> dict[str, Any] | None:
    """The `networkConfiguration` of a service that names none; None when every service names one."""
    if not execution.desired.uses_project_network:
        return None
    group_id = tasks_group_id(execution)
    _, subnets = execution.default_vpc()
    return awsvpc_configuration(subnets, group_id)


def remove(teardown: Teardown) -> None:
    # The tasks' group first: its rules name the load balancers' group, which would stay in use.
    for group in (teardown.deployed.security_group, teardown.deployed.lb_security_group):
        if group is None:
            continue
        group_id = str(group["GroupId"])
        label = f"security group {group.get('GroupName', group_id)} ({group_id})"
        if not teardown.ours(tags_dict(group.get("Tags"))):
            teardown.kept(label)
            continue
        retry_while_in_use(teardown.run, _deleter(teardown.run, group_id), group_id)
        teardown.run.wrote("delete_security_group", group_id, f"deleted {label}")


def _deleter(run: Run, group_id: str) -> Callable[[], None]:
    return lambda: run.gateway.delete_security_group(group_id)


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
