"""Carry out a plan: each resource kind's operations, in dependency order, then wait for the services.

The plan holds the operations (resources/<kind>.py decides them while planning); this walks the
kinds in `resources.KINDS` order and hands each change to its kind, which makes the calls and fills
in only what AWS hands out on the way (ARNs, ids). A change whose action is "no change" has no
operations and gets no write. Nothing here works a change out again: `up` plans right before it
applies (again once it holds the lock), so a run that was interrupted converges when it is planned
and applied again.
"""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING, Any

from compose2ecs.errors import UsageError
from compose2ecs.model.deployed import Action, ResourceKind
from compose2ecs.resources import KINDS, service
from compose2ecs.resources.base import Execution
from compose2ecs.resources.run import ApplyResult, Run
from compose2ecs.resources.wait import settle

if TYPE_CHECKING:
    from collections.abc import Callable

    from compose2ecs.model import DesiredState
    from compose2ecs.model.deployed import DeployedState, Plan
    from compose2ecs.resources.gateway import Gateway
    from compose2ecs.resources.run import ApplyOptions, Progress


def apply_plan(  # noqa: PLR0917 - the stage's entry point takes each input by position
    plan: Plan,
    desired: DesiredState,
    deployed: DeployedState,
    gateway: Gateway,
    options: ApplyOptions,
    progress: Progress,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> ApplyResult:
    """Make AWS match `desired` by running `plan`'s operations; then wait for the services."""
    if plan.cluster != options.cluster:
        msg = f"the plan is for cluster {plan.cluster!r} but the options name {options.cluster!r}"
        raise ValueError(msg)
    refuse_replacements(plan, options)
    execution = Execution(Run(gateway, options, progress, clock, sleep), desired, deployed)
    deferred = []
    for kind in KINDS:
        late: frozenset[str] = getattr(kind, "AFTER_SERVICES", frozenset())
        for change in plan.resources:
            if change.kind is not kind.KIND or not change.operations:
                continue
            now = tuple(op for op in change.operations if op.call not in late)
            if len(now) < len(change.operations):
                # What the running tasks still use (a port rule, a target group, a load balancer)
                # goes once the services have moved off it.
                later = tuple(op for op in change.operations if op.call in late)
                deferred.append((kind, dataclasses.replace(change, operations=later)))
            if now:
                kind.execute(dataclasses.replace(change, operations=now), execution)
    service.finish(execution)
    # The other way round: a load balancer (with its listeners) before its target groups and groups.
    for kind, change in reversed(deferred):
        kind.execute(change, execution)
    families = [str(r["family"]) for r in desired.task_definitions]
    arns = {family: arn for family in families if (arn := _running(family, execution))}
    balancers = {**deployed.load_balancers, **execution.load_balancers}
    return ApplyResult(execution.run.writes, arns, balancers)


def _running(family: str, execution: Execution) -> str | None:
    if family in execution.task_definition_arns:
        return execution.task_definition_arns[family]
    latest = execution.deployed.task_definitions.get(family)
    return str(latest["taskDefinitionArn"]) if latest and "taskDefinitionArn" in latest else None


def settle_services(
    services: dict[str, dict[str, Any]],
    gateway: Gateway,
    options: ApplyOptions,
    progress: Progress,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """For a plan in sync: wait until these not-yet-steady services settle (AwsError if not)."""
    settle(Run(gateway, options, progress, clock, sleep), options.cluster, services)


def refuse_replacements(plan: Plan, options: ApplyOptions) -> None:
    """Replacing deletes a running service: never without --force-replace, and checked before any write."""
    for change in plan.resources:
        if change.layout_switch and not options.force_replace:
            raise UsageError(
                f"service {change.name} was {change.reason}; switching layouts deletes it and creates "
                "the new layout's services: run again with --force-replace (expect downtime)"
            )
        if change.action is not Action.REPLACE:
            continue
        because = change.reason or "a field that cannot change in place differs"
        if change.kind is not ResourceKind.SERVICE:
            msg = f"{change.kind} {change.name} must be replaced because {because}"
            raise UsageError(f"{msg}; compose2ecs only replaces services: delete it by hand and run again")
        if not options.force_replace:
            raise UsageError(
                f"service {change.name} needs --force-replace because {because} "
                "(the service is deleted and created again: expect downtime)"
            )
