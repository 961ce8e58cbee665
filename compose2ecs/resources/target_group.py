"""Target groups (type ip): one per container port a load balancer forwards to.

A target group is this deployment's when it carries the ownership tags; its name holds a hash of
what cannot change in place (port, protocol), so such a change is a new group, which the listener
and the service move to before the old one is deleted. The health check is compared and updated
in place (ModifyTargetGroup); the deregistration delay is set after the create (CreateTargetGroup
takes no attributes) and compared with DescribeTargetGroupAttributes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compose2ecs.model.deployed import Action, FieldChange, Operation, ResourceChange, ResourceKind
from compose2ecs.resources.base import (
    elb_tag_operations,
    retry_while_in_use,
    run_elb_tag_operation,
    unknown,
    updated,
)

if TYPE_CHECKING:
    from compose2ecs.model import TargetGroupSpec
    from compose2ecs.resources.base import Execution, Planning, Teardown
    from compose2ecs.resources.run import Run

KIND = ResourceKind.TARGET_GROUP
IN_USE = frozenset({"ResourceInUse"})  # a deleted load balancer's listeners let go a while later
AFTER_SERVICES = frozenset({"delete_target_group"})  # a stale group goes once the services left it

# The health check members compared, as DescribeTargetGroups returns them.
_HEALTH = (
    "HealthCheckProtocol",
    "HealthCheckPath",
    "HealthCheckIntervalSeconds",
    "HealthCheckTimeoutSeconds",
    "HealthyThresholdCount",
    "UnhealthyThresholdCount",
)


def comparable(spec: TargetGroupSpec) -> dict[str, Any]:
    """What the plan shows and compares of a target group."""
    request = spec.request("", {})
    out = {k: request[k] for k in ("Protocol", "Port", "TargetType", *_HEALTH) if k in request}
    if "Matcher" in request:
        out["Matcher"] = request["Matcher"]["HttpCode"]
    return out


def _deployed(entry: dict[str, Any]) -> dict[str, Any]:
    out = {k: entry[k] for k in ("Protocol", "Port", "TargetType", *_HEALTH) if k in entry}
    matcher = (entry.get("Matcher") or {}).get("HttpCode")
    if matcher:
        out["Matcher"] = matcher
    if out.get("HealthCheckProtocol") != "HTTP":
        out.pop("HealthCheckPath", None)  # AWS keeps no path for a TCP check
    return out


def plan(planning: Planning) -> list[ResourceChange]:
    desired, deployed = planning.desired, planning.deployed
    changes = [
        _plan_one(spec, deployed.target_groups.get(spec.name), desired.tags) for spec in desired.target_groups
    ]
    wanted = {spec.name for spec in desired.target_groups}
    # A service the files no longer define (an orphan, left running without --remove-orphans)
    # keeps the target groups it is attached to.
    held = {
        str(item.get("targetGroupArn", ""))
        for orphan in deployed.orphans.values()
        for item in orphan.get("loadBalancers") or []
    }
    for name, entry in sorted(deployed.target_groups.items()):
        if name in wanted or entry.get("TargetGroupArn") in held:
            continue
        if desired.owner.owns(entry.get("Tags") or {}):
            delete = Operation("delete_target_group", name, (str(entry["TargetGroupArn"]),))
            reason = "no published port uses it"
            changes.append(ResourceChange(KIND, name, Action.DELETE, reason=reason, operations=(delete,)))
    return changes


def _plan_one(spec: TargetGroupSpec, entry: dict[str, Any] | None, tags: dict[str, str]) -> ResourceChange:
    wanted = comparable(spec)
    attributes = spec.attributes()
    if entry is None:
        fields = tuple(FieldChange(k, "added", after=v) for k, v in {**wanted, **attributes}.items())
        creates = (
            Operation("create_target_group", spec.name, (spec,)),
            # CreateTargetGroup takes no attributes: a second call sets them.
            Operation("modify_target_group_attributes", spec.name, (attributes,)),
        )
        return ResourceChange(KIND, spec.name, Action.CREATE, fields, operations=creates)
    current = _deployed(entry)
    fields_changed = [
        FieldChange(key, "changed" if key in current else "added", current.get(key), value)
        for key, value in wanted.items()
        if current.get(key) != value
    ]
    operations: list[Operation] = []
    if fields_changed:
        request: dict[str, Any] = {"TargetGroupArn": entry["TargetGroupArn"]}
        health = spec.request("", {})
        request.update({k: health[k] for k in _HEALTH if k in health})
        if "Matcher" in health:
            request["Matcher"] = health["Matcher"]
        operations.append(Operation("modify_target_group", spec.name, (request,)))
    current = entry.get("Attributes") or {}
    differ = {k: v for k, v in attributes.items() if current.get(k) != v}
    if differ:
        # Set after the create: a run stopped in between left AWS's defaults (a 300 s delay).
        fields_changed += [FieldChange(k, "changed", current.get(k), v) for k, v in differ.items()]
        operations.append(Operation("modify_target_group_attributes", spec.name, (differ,)))
    tag_ops, tag_changes = elb_tag_operations(str(entry["TargetGroupArn"]), entry.get("Tags"), tags)
    operations.extend(tag_ops)
    return updated(KIND, spec.name, [*fields_changed, *tag_changes], "health check", operations)


def execute(change: ResourceChange, execution: Execution) -> None:
    gateway = execution.run.gateway
    for operation in change.operations:
        if run_elb_tag_operation(operation, execution, f"target group {change.name}"):
            continue
        match operation.call:
            case "create_target_group":
                (spec,) = operation.args
                created = gateway.create_target_group(
                    spec.request(execution.tasks_vpc(), execution.desired.tags)
                )
                execution.target_group_arns[spec.name] = str(created["TargetGroupArn"])
                execution.did(operation, f"created target group {spec.name} ({spec.protocol} {spec.port})")
            case "modify_target_group_attributes":
                (attributes,) = operation.args
                gateway.modify_target_group_attributes(target_group_arn(change.name, execution), attributes)
                execution.did(operation, f"set {', '.join(sorted(attributes))} of target group {change.name}")
            case "modify_target_group":
                gateway.modify_target_group(operation.args[0])
                execution.did(operation, f"updated the health check of target group {change.name}")
            case "delete_target_group":
                _delete(execution.run, operation.args[0], change.name)
                execution.did(operation, f"deleted target group {change.name} ({change.reason})")
            case _:
                raise unknown(operation)


def _delete(run: Run, arn: str, name: str) -> None:
    retry_while_in_use(run, lambda: run.gateway.delete_target_group(arn), name, IN_USE)


def name_of(arn: str) -> str:
    """`arn:…:targetgroup/NAME/ID` (or a load balancer's `…/targetgroup/NAME/ID`) -> NAME; a name as is."""
    return arn.split("targetgroup/", 1)[-1].split("/", 1)[0]


def target_group_arn(name: str, execution: Execution) -> str:
    """The ARN of target group `name`: created in this run, or deployed."""
    if name in execution.target_group_arns:
        return execution.target_group_arns[name]
    return str(execution.deployed.target_groups[name]["TargetGroupArn"])


def remove(teardown: Teardown) -> None:
    for name, entry in sorted(teardown.deployed.target_groups.items()):
        if not teardown.ours(entry.get("Tags") or {}):
            teardown.kept(f"target group {name}")
            continue
        _delete(teardown.run, str(entry["TargetGroupArn"]), name)
        teardown.run.wrote("delete_target_group", name, f"deleted target group {name}")
