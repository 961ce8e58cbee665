"""The project's load balancers: one Application and one Network load balancer per scheme at most.

They are this deployment's when they carry its ownership tags. They live in the subnets ecs-params
names (`run_params.load_balancer`), else one per zone of the default VPC's, with the load
balancers' own security group (security_group.py). The scheme is in the name (an internal one
is another load balancer); subnets change in place (SetSubnets); the type cannot change in place,
and compose2ecs replaces only services, so such a change is refused before any write. A load
balancer no published port needs any more is deleted, with its listeners, after the services
have left it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compose2ecs.model.deployed import Action, FieldChange, Operation, ResourceChange, ResourceKind
from compose2ecs.resources.base import elb_tag_operations, run_elb_tag_operation, unknown, updated

if TYPE_CHECKING:
    from compose2ecs.model import DesiredState
    from compose2ecs.model.deployed import DeployedState
    from compose2ecs.resources.base import Execution, Planning, Teardown

KIND = ResourceKind.LOAD_BALANCER
AFTER_SERVICES = frozenset({"delete_load_balancer"})  # likewise


def plan(planning: Planning) -> list[ResourceChange]:
    desired, deployed = planning.desired, planning.deployed
    changes = []
    for spec in desired.load_balancers:
        entry = deployed.load_balancers.get(spec.name)
        if entry is None:
            fields = (
                FieldChange("Type", "added", after=spec.type),
                FieldChange("Scheme", "added", after=spec.scheme),
            )
            create = Operation("create_load_balancer", spec.name, (spec,))
            changes.append(ResourceChange(KIND, spec.name, Action.CREATE, fields, operations=(create,)))
            continue
        fixed = [
            FieldChange(key, "changed", entry.get(key), value)
            for key, value in (("Type", spec.type), ("Scheme", spec.scheme))
            if entry.get(key) != value
        ]
        if fixed:
            reason = ", ".join(f"{c.path} cannot change in place ({c.before} -> {c.after})" for c in fixed)
            changes.append(ResourceChange(KIND, spec.name, Action.REPLACE, tuple(fixed), reason))
            continue
        tag_ops, tag_changes = elb_tag_operations(
            str(entry["LoadBalancerArn"]), entry.get("Tags"), desired.tags
        )
        # Subnets are compared only when ecs-params names them: else compose2ecs chose them.
        have = sorted(str(z.get("SubnetId")) for z in entry.get("AvailabilityZones") or [])
        moved = []
        if spec.subnets and have != sorted(spec.subnets):
            moved = [FieldChange("Subnets", "changed", have, sorted(spec.subnets))]
            tag_ops = [
                Operation("set_subnets", spec.name, (str(entry["LoadBalancerArn"]), sorted(spec.subnets))),
                *tag_ops,
            ]
        changes.append(updated(KIND, spec.name, [*moved, *tag_changes], "subnets", tag_ops))
    wanted = {spec.name for spec in desired.load_balancers}
    for name, entry in sorted(deployed.load_balancers.items()):
        if name not in wanted and desired.owner.owns(entry.get("Tags") or {}):
            delete = Operation("delete_load_balancer", name, (str(entry["LoadBalancerArn"]),))
            changes.append(
                ResourceChange(
                    KIND, name, Action.DELETE, reason="no published port uses it", operations=(delete,)
                )
            )
    return changes


def execute(change: ResourceChange, execution: Execution) -> None:
    gateway = execution.run.gateway
    for operation in change.operations:
        if run_elb_tag_operation(operation, execution, f"load balancer {change.name}"):
            continue
        match operation.call:
            case "create_load_balancer":
                (spec,) = operation.args
                subnets = list(spec.subnets)
                if not subnets:
                    _, found = execution.default_vpc()
                    subnets = one_per_zone(found, execution.deployed.network.default_zones or {})
                group = execution.lb_group_id or _deployed_group(execution.deployed)
                created = gateway.create_load_balancer(spec, subnets, str(group), execution.desired.tags)
                execution.load_balancers[spec.name] = created
                execution.did(
                    operation, f"created {spec.type} load balancer {spec.name} ({created.get('DNSName')})"
                )
            case "set_subnets":
                arn, subnets = operation.args
                gateway.set_subnets(arn, subnets)
                execution.did(operation, f"moved load balancer {change.name} to {', '.join(subnets)}")
            case "delete_load_balancer":
                gateway.delete_load_balancer(operation.args[0])
                execution.did(operation, f"deleted load balancer {change.name} ({change.reason})")
            case _:
                raise unknown(operation)


def one_per_zone(subnets: list[str], zones: dict[str, str]) -> list[str]:
    """The first subnet of each Availability Zone: ELBv2 refuses two subnets of one zone."""
    seen: set[str] = set()
    out = []
    for subnet in subnets:
        zone = zones.get(subnet, subnet)  # unknown zone: kept, as its own
        if zone not in seen:
            seen.add(zone)
            out.append(subnet)
    return out


def _deployed_group(deployed: DeployedState) -> str | None:
    group = deployed.lb_security_group
    return str(group["GroupId"]) if group else None


def load_balancer_arn(name: str, execution: Execution) -> str:
    if name in execution.load_balancers:
        return str(execution.load_balancers[name]["LoadBalancerArn"])
    return str(execution.deployed.load_balancers[name]["LoadBalancerArn"])


def urls(
    desired: DesiredState,
    found: dict[str, dict[str, Any]],
    listeners: dict[str, dict[str, Any]] | None = None,
) -> list[tuple[str, str]]:
    """(container, URL) of each listener: `http(s)://DNS:PORT` (ALB), `tcp://DNS:PORT` (NLB).

    A rule on an existing listener (`listeners`: ARN -> entry with "LoadBalancer") is reached at its
    first host without a wildcard (else the load balancer's name) and its first path.
    """
    by_group = {tg.name: tg for tg in desired.target_groups}
    out = []
    for listener in desired.listeners:
        entry = found.get(listener.load_balancer)
        group = by_group.get(listener.target_group)
        if entry is None or group is None:
            continue
        if listener.redirect_to is not None:
            continue  # it sends people to the HTTPS listener, which is listed
        out.append((group.container, _url(listener.protocol, str(entry["DNSName"]), listener.port)))
    for rule in desired.listener_rules:
        existing = (listeners or {}).get(rule.listener_arn)
        balancer = (existing or {}).get("LoadBalancer")
        group = by_group.get(rule.target_group)
        if not existing or not balancer or group is None:
            continue
        host = next((h for h in rule.hosts if "*" not in h and "?" not in h), str(balancer["DNSName"]))
        path = next((p.split("*", 1)[0].split("?", 1)[0] for p in rule.paths), "")
        out.append((group.container, _url(str(existing["Protocol"]), host, int(existing["Port"]), path)))
    return out


def _url(protocol: str, host: str, port: int, path: str = "") -> str:
    scheme = protocol.lower()
    shown = "" if (scheme, port) in {("http", 80), ("https", 443)} else f":{port}"
    return f"{scheme}://{host}{shown}{path}"


def remove(teardown: Teardown) -> None:
    for name, entry in sorted(teardown.deployed.load_balancers.items()):
        if not teardown.ours(entry.get("Tags") or {}):
            teardown.kept(f"load balancer {name}")
            continue
        # Deleting a load balancer deletes its listeners with it.
        teardown.run.gateway.delete_load_balancer(str(entry["LoadBalancerArn"]))
        teardown.run.wrote("delete_load_balancer", name, f"deleted load balancer {name}")
