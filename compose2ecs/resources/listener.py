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
from compose2ecs.resources.target_group import name_of, target_group_arn

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
            return name_of(arn)
    return ""


def _comparable(spec: ListenerSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"Protocol": spec.protocol}
    if spec.redirect_to is not None:
        out["RedirectTo"] = f"HTTPS:{spec.redirect_to}"
    else:
        out["TargetGroup"] = spec.target_group
    if spec.certificate:
        out["Certificate"] = spec.certificate
    return out


def _deployed(entry: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Protocol": entry.get("Protocol")}
    for action in entry.get("DefaultActions", []):
        redirect = action.get("RedirectConfig")
        if action.get("Type") == "redirect" and redirect:
            out["RedirectTo"] = f"{redirect.get('Protocol')}:{redirect.get('Port')}"
    group = _forwards_to(entry)
    if group:
        out["TargetGroup"] = group
    certificates = [
        c.get("CertificateArn") for c in entry.get("Certificates") or [] if c.get("CertificateArn")
    ]
    if certificates:
        out["Certificate"] = certificates[0]
    return out


def plan(planning: Planning) -> list[ResourceChange]:
    desired, deployed = planning.desired, planning.deployed
    changes = []
    for spec in desired.listeners:
        current = {int(li["Port"]): li for li in deployed.listeners.get(spec.load_balancer, [])}
        entry = current.get(spec.port)
        label = _label(spec.load_balancer, spec.port)
        wanted = _comparable(spec)
        if entry is None:
            added = tuple(FieldChange(k, "added", after=v) for k, v in wanted.items())
            create = Operation("create_listener", label, (spec,))
            changes.append(ResourceChange(KIND, label, Action.CREATE, added, operations=(create,)))
            continue
        have = _deployed(entry)
        fields = [
            FieldChange(k, "changed" if k in have else "added", have.get(k), v)
            for k, v in wanted.items()
            if have.get(k) != v
        ]
        fields += [FieldChange(k, "removed", have[k]) for k in have if k not in wanted]
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


# TLS 1.3 and 1.2 only: the policy AWS recommends for new HTTPS listeners.
SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"


def _request(spec: ListenerSpec, execution: Execution) -> dict[str, Any]:
    group = target_group_arn(spec.target_group, execution) if spec.target_group else ""
    out: dict[str, Any] = {
        "Protocol": spec.protocol,
        "Port": spec.port,
        "DefaultActions": spec.default_actions(group),
    }
    if spec.certificate:
        out["Certificates"] = [{"CertificateArn": spec.certificate}]
        out["SslPolicy"] = SSL_POLICY
    return out


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
                execution.did(operation, f"updated listener {change.name} -> {_to(spec)}")
            case "delete_listener":
                gateway.delete_listener(operation.args[0])
                execution.did(operation, f"deleted listener {change.name} ({change.reason})")
            case _:
                raise unknown(operation)


def _to(spec: ListenerSpec) -> str:
    return spec.target_group or f"HTTPS on {spec.redirect_to}"


def remove(teardown: Teardown) -> None:
    """Nothing of its own: deleting a load balancer deletes its listeners."""
    del teardown
