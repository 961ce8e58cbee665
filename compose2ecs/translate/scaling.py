"""Application Auto Scaling from ecs-params `run_params.autoscaling`.

A scalable target per ECS service, between min and max tasks, with a target-tracking policy per
target given.

The count a service starts with stays compose's (`deploy.replicas`, ecs-params `desired_count`),
kept within min and max; afterwards the scaler owns it, so `up` never compares it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from compose2ecs.model import ScalingPolicySpec, ScalingSpec
from compose2ecs.translate.report import MAPPED, REJECTED

if TYPE_CHECKING:
    from compose2ecs.model import AutoscalingParams, DesiredState, EcsParams
    from compose2ecs.translate.report import Report

PATH = ("run_params", "autoscaling")
METRICS = (
    ("cpu", "compose2ecs-cpu", "ECSServiceAverageCPUUtilization"),
    ("memory", "compose2ecs-memory", "ECSServiceAverageMemoryUtilization"),
    ("requests_per_target", "compose2ecs-requests", "ALBRequestCountPerTarget"),
)


def plan_scaling(desired: DesiredState, params: EcsParams, report: Report) -> None:
    given = params.autoscaling
    if given is None:
        return
    for service in desired.services:
        name = str(service["serviceName"])
        policies = _policies(desired, given, name, report)
        count = int(service.get("desiredCount", 1))
        start = min(max(count, given.min), given.max)
        if start != count:
            report.add(
                PATH,
                f"service {name} starts with {start} tasks (not {count}): autoscaling keeps it between "
                f"{given.min} and {given.max}",
                MAPPED,
                "autoscaling-start",
            )
            service["desiredCount"] = start
        # The scaler owns the count from now on: `up` leaves it alone.
        desired.desired_count_explicit[name] = False
        desired.scaling.append(ScalingSpec(name, given.min, given.max, tuple(policies)))


def _policies(
    desired: DesiredState, given: AutoscalingParams, service: str, report: Report
) -> list[ScalingPolicySpec]:
    out = []
    for key, name, metric in METRICS:
        target = getattr(given, key)
        if target is None:
            continue
        group = ""
        if key == "requests_per_target":
            http = [
                tg.name for tg in desired.target_groups if tg.service == service and tg.protocol == "HTTP"
            ]
            if not http:
                report.add(
                    (*PATH, key),
                    f"service {service} has no HTTP port behind the project's Application Load Balancer: "
                    "there are no requests per target to track",
                    REJECTED,
                    "autoscaling-requests",
                    "publish an HTTP port, or track cpu or memory instead",
                )
                continue
            group = http[0]
        out.append(
            ScalingPolicySpec(
                name, metric, float(target), group, given.scale_in_cooldown, given.scale_out_cooldown
            )
        )
    return out
