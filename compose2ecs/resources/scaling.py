"""Application Auto Scaling of the ECS services: a scalable target and target-tracking policies.

A scalable target is this deployment's when its policies are compose2ecs's (named `compose2ecs-*`);
one that the files no longer ask for is deregistered (with its policies), else it would go on
changing the service's count. A target someone registered by hand, with policies of their own,
is left alone. RegisterScalableTarget and PutScalingPolicy create or update alike, so an
interrupted `up` converges when run again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compose2ecs.model.deployed import Action, FieldChange, Operation, ResourceChange, ResourceKind
from compose2ecs.resources.base import unknown, updated
from compose2ecs.resources.load_balancer import load_balancer_arn
from compose2ecs.resources.target_group import name_of, target_group_arn

if TYPE_CHECKING:
    from compose2ecs.model import DesiredState, ScalingPolicySpec, ScalingSpec
    from compose2ecs.resources.base import Execution, Planning, Teardown

KIND = ResourceKind.SCALING
DIMENSION = "ecs:service:DesiredCount"
PREFIX = "compose2ecs-"


def resource_id(cluster: str, service: str) -> str:
    return f"service/{cluster}/{service}"


def _ours(target: dict[str, Any]) -> bool:
    policies = target.get("Policies") or {}
    return bool(policies) and all(str(name).startswith(PREFIX) for name in policies)


def plan(planning: Planning) -> list[ResourceChange]:
    desired, deployed = planning.desired, planning.deployed
    changes = [_plan_one(spec, deployed.scaling.get(spec.service), planning) for spec in desired.scaling]
    scaled = {spec.service for spec in desired.scaling}
    for request in desired.services:
        name = str(request["serviceName"])
        target = deployed.scaling.get(name)
        if name in scaled or target is None or not _ours(target):
            continue
        deregister = Operation("deregister_scalable_target", name, (resource_id(planning.cluster, name),))
        reason = "the files no longer ask for autoscaling"
        changes.append(ResourceChange(KIND, name, Action.DELETE, reason=reason, operations=(deregister,)))
    return changes


def _plan_one(spec: ScalingSpec, target: dict[str, Any] | None, planning: Planning) -> ResourceChange:
    rid = resource_id(planning.cluster, spec.service)
    register = Operation(
        "register_scalable_target",
        spec.service,
        (
            {
                "ServiceNamespace": "ecs",
                "ResourceId": rid,
                "ScalableDimension": DIMENSION,
                "MinCapacity": spec.min,
                "MaxCapacity": spec.max,
            },
        ),
    )
    wanted = {policy.name: _comparable(policy) for policy in spec.policies}
    if target is None:
        fields = [
            FieldChange("MinCapacity", "added", after=spec.min),
            FieldChange("MaxCapacity", "added", after=spec.max),
        ]
        fields += [FieldChange(f"policies[{name}]", "added", after=value) for name, value in wanted.items()]
        puts = [Operation("put_scaling_policy", spec.service, (policy, rid)) for policy in spec.policies]
        return ResourceChange(KIND, spec.service, Action.CREATE, tuple(fields), operations=(register, *puts))
    fields = [
        FieldChange(key, "changed", target.get(key), value)
        for key, value in (("MinCapacity", spec.min), ("MaxCapacity", spec.max))
        if target.get(key) != value
    ]
    operations = [register] if fields else []
    current = {name: _deployed(policy) for name, policy in (target.get("Policies") or {}).items()}
    for policy in spec.policies:
        if current.get(policy.name) != wanted[policy.name]:
            kind = "changed" if policy.name in current else "added"
            fields.append(
                FieldChange(f"policies[{policy.name}]", kind, current.get(policy.name), wanted[policy.name])
            )
            operations.append(Operation("put_scaling_policy", spec.service, (policy, rid)))
    for name in sorted(current):
        if name.startswith(PREFIX) and name not in wanted:
            fields.append(FieldChange(f"policies[{name}]", "removed", current[name]))
            operations.append(Operation("delete_scaling_policy", spec.service, (name, rid)))
    return updated(KIND, spec.service, fields, "scaling", operations)


def _comparable(policy: ScalingPolicySpec) -> str:
    """`ECSServiceAverageCPUUtilization 70.0`, with the cooldowns and target group when set."""
    text = f"{policy.metric} {policy.target:g}"
    if policy.target_group:
        text += f" ({policy.target_group})"
    if policy.scale_in_cooldown is not None:
        text += f", scale in after {policy.scale_in_cooldown} s"
    if policy.scale_out_cooldown is not None:
        text += f", scale out after {policy.scale_out_cooldown} s"
    return text


def _deployed(policy: dict[str, Any]) -> str:
    config = policy.get("TargetTrackingScalingPolicyConfiguration") or {}
    metric = config.get("PredefinedMetricSpecification") or {}
    text = f"{metric.get('PredefinedMetricType')} {float(config.get('TargetValue', 0)):g}"
    label = str(metric.get("ResourceLabel") or "")
    if label:
        text += f" ({name_of(label)})"
    if config.get("ScaleInCooldown") is not None:
        text += f", scale in after {config['ScaleInCooldown']} s"
    if config.get("ScaleOutCooldown") is not None:
        text += f", scale out after {config['ScaleOutCooldown']} s"
    return text


def _policy_request(policy: ScalingPolicySpec, rid: str, execution: Execution) -> dict[str, Any]:
    metric: dict[str, Any] = {"PredefinedMetricType": policy.metric}
    if policy.target_group:
        metric["ResourceLabel"] = _resource_label(policy.target_group, execution)
    config: dict[str, Any] = {"TargetValue": policy.target, "PredefinedMetricSpecification": metric}
    if policy.scale_in_cooldown is not None:
        config["ScaleInCooldown"] = policy.scale_in_cooldown
    if policy.scale_out_cooldown is not None:
        config["ScaleOutCooldown"] = policy.scale_out_cooldown
    return {
        "PolicyName": policy.name,
        "ServiceNamespace": "ecs",
        "ResourceId": rid,
        "ScalableDimension": DIMENSION,
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": config,
    }


def _resource_label(group: str, execution: Execution) -> str:
    """`app/<lb>/<id>/targetgroup/<tg>/<id>`: the load balancer and target group whose requests count."""
    balancer = _balancer_of(execution.desired, group)
    lb_part = load_balancer_arn(balancer, execution).split(":loadbalancer/", 1)[-1]
    tg_part = target_group_arn(group, execution).split(":", 5)[-1]
    return f"{lb_part}/{tg_part}"


def _balancer_of(desired: DesiredState, group: str) -> str:
    return next(li.load_balancer for li in desired.listeners if li.target_group == group)


def execute(change: ResourceChange, execution: Execution) -> None:
    gateway = execution.run.gateway
    for operation in change.operations:
        match operation.call:
            case "register_scalable_target":
                (request,) = operation.args
                gateway.register_scalable_target(request)
                bounds = f"{request['MinCapacity']} to {request['MaxCapacity']} tasks"
                execution.did(operation, f"set autoscaling of service {change.name}: {bounds}")
            case "put_scaling_policy":
                policy, rid = operation.args
                gateway.put_scaling_policy(_policy_request(policy, rid, execution))
                execution.did(operation, f"set scaling policy {policy.name} of service {change.name}")
            case "delete_scaling_policy":
                name, rid = operation.args
                gateway.delete_scaling_policy(name, rid)
                execution.did(operation, f"deleted scaling policy {name} of service {change.name}")
            case "deregister_scalable_target":
                gateway.deregister_scalable_target(operation.args[0])
                execution.did(
                    operation, f"removed the autoscaling of service {change.name} ({change.reason})"
                )
            case _:
                raise unknown(operation)


def remove(teardown: Teardown) -> None:
    """Before the services go: a scalable target outlives its service otherwise."""
    cluster = teardown.run.options.cluster
    names = [str(s["serviceName"]) for s in teardown.desired.services] + list(teardown.deployed.orphans)
    for name in names:
        target = teardown.deployed.scaling.get(name)
        if target is None:
            continue
        if not _ours(target):
            teardown.kept(f"autoscaling of service {name}")
            continue
        teardown.run.gateway.deregister_scalable_target(resource_id(cluster, name))
        teardown.run.wrote("deregister_scalable_target", name, f"removed the autoscaling of service {name}")
