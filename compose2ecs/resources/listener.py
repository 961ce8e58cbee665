"""Listeners: one per published port, on the project's load balancer, forwarding to a target group.

A listener is this deployment's when its load balancer is. The protocol and the target group it
forwards to are compared and changed in place (ModifyListener); a listener on a port no longer
published is deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compose2ecs.model.deployed import Action, FieldChange, Operation, ResourceChange, ResourceKind
from compose2ecs.resources.base import unknown, updated
from compose2ecs.resources.load_balancer import load_balancer_arn
from compose2ecs.resources.target_group import target_group_arn

if TYPE_CHECKING:
    from compose2ecs.model import ListenerSpec
    from compose2ecs.resources.base import Execution, Planning, Teardown

KIND = ResourceKind.LISTENER


def _label(load_balancer: str, port: int) -> str:
    return f"{load_balancer}:{port}"


def _forwards_to(listener: dict[str, Any]) -> str:
    """The name of the target group a listener's default action forwards to ("" when none)."""
    for action in listener.get("DefaultActions", []):
        arn = str(action.get("TargetGroupArn") or "")
        if arn:
            return arn.split(":targetgroup/", 1)[-1].split("/", 1)[0]
    return ""


def plan(planning: Planning) -> list[ResourceChange]:
    desired, deployed = planning.desired, planning.deployed
    changes = []
    for spec in desired.listeners:
        current = {int(li["Port"]): li for li in deployed.listeners.get(spec.load_balancer, [])}
        entry = current.get(spec.port)
        label = _label(spec.load_balancer, spec.port)
        wanted = {"Protocol": spec.protocol, "TargetGroup": spec.target_group}
        if entry is None:
            added = tuple(FieldChange(k, "added", after=v) for k, v in wanted.items())
            create = Operation("create_listener", label, (spec,))
            changes.append(ResourceChange(KIND, label, Action.CREATE, added, operations=(create,)))
            continue
        have = {"Protocol": entry.get("Protocol"), "TargetGroup": _forwards_to(entry)}
        fields = [FieldChange(k, "changed", have[k], v) for k, v in wanted.items() if have[k] != v]
        modify = Operation("modify_listener", label, (spec, str(entry["ListenerArn"])))
        changes.append(updated(KIND, label, fields, "forwarding", [modify] if fields else []))
    wanted_ports = {(li.load_balancer, li.port) for li in desired.listeners}
    kept = {spec.name for spec in desired.load_balancers}
    for name, listeners in sorted(deployed.listeners.items()):
        if name not in kept:
            continue  # the load balancer goes, and its listeners with it
        for entry in listeners:
            if (name, int(entry["Port"])) not in wanted_ports:
                label = _label(name, int(entry["Port"]))
                delete = Operation("delete_listener", label, (str(entry["ListenerArn"]),))
                changes.append(
                    ResourceChange(
                        KIND,
                        label,
                        Action.DELETE,
                        reason="the port is no longer published",
                        operations=(delete,),
                    )
                )
    return changes


def _request(spec: ListenerSpec, execution: Execution) -> dict[str, Any]:
    return {
        "Protocol": spec.protocol,
        "Port": spec.port,
        "DefaultActions": [
            {"Type": "forward", "TargetGroupArn": target_group_arn(spec.target_group, execution)}
        ],
    }


def execute(change: ResourceChange, execution: Execution) -> None:
    gateway = execution.run.gateway
    for operation in change.operations:
        match operation.call:
            case "create_listener":
                (spec,) = operation.args
                request = {
                    "LoadBalancerArn": load_balancer_arn(spec.load_balancer, execution),
                    **_request(spec, execution),
                    "Tags": [{"Key": k, "Value": v} for k, v in execution.desired.tags.items()],
                }
                gateway.create_listener(request)
                execution.did(
                    operation, f"created listener {change.name} ({spec.protocol}) -> {spec.target_group}"
                )
            case "modify_listener":
                spec, arn = operation.args
                gateway.modify_listener({"ListenerArn": arn, **_request(spec, execution)})
                execution.did(operation, f"updated listener {change.name} -> {spec.target_group}")
            case "delete_listener":
                gateway.delete_listener(operation.args[0])
                execution.did(operation, f"deleted listener {change.name} ({change.reason})")
            case _:
                raise unknown(operation)


def remove(teardown: Teardown) -> None:
    """Nothing of its own: deleting a load balancer deletes its listeners."""
    del teardown
