"""`scale` and `down`: change the task count of running services, or remove what a project created.

`down` deletes the deployment's services: those the files define and those tagged as its own
(orphans, or the other layout's). With `remove_all` it also removes the rest, but only what carries
this deployment's ownership tags (model.Owner: project, cluster and region): a role, log group or
cluster that someone made by hand under the same name, or that another project or another cluster
of this project created, is kept and reported, never deleted. A shared resource compose2ecs
created (a role, a log group) goes with its last user.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from compose2ecs.errors import UsageError
from compose2ecs.model import family_of, foreign_creator, tags_dict
from compose2ecs.resources import REMOVAL_ORDER, scaling, service
from compose2ecs.resources.base import Teardown
from compose2ecs.resources.run import ApplyResult, Run, live_service
from compose2ecs.resources.wait import seen_event_ids, wait_for_services

if TYPE_CHECKING:
    from collections.abc import Callable

    from compose2ecs.model import DesiredState
    from compose2ecs.model.deployed import DeployedState
    from compose2ecs.resources.gateway import Gateway
    from compose2ecs.resources.run import ApplyOptions, Progress


def scale(  # noqa: PLR0917 - same inputs, in the same order, as apply_plan
    desired: DesiredState,
    deployed: DeployedState,
    gateway: Gateway,
    counts: dict[str, int],
    options: ApplyOptions,
    progress: Progress,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> ApplyResult:
    """Set the desired task count of each named service, then wait until they run that many."""
    services = {name: live_service(deployed.services.get(name)) for name in counts}
    missing = sorted(name for name, service in services.items() if service is None)
    if missing:
        known = (
            ", ".join(sorted(n for n in deployed.services if live_service(deployed.services[n]))) or "none"
        )
        raise UsageError(
            f"no running service {', '.join(missing)} in cluster {options.cluster} "
            f"(deployed services of project {desired.project}: {known}); run `up` first"
        )
    foreign = sorted(
        f"{name} (it belongs to {maker.label()})"
        for name, service in services.items()
        if (maker := foreign_creator(tags_dict((service or {}).get("tags")), desired.owner))
    )
    if foreign:
        raise UsageError(f"not scaling another project's service: {', '.join(foreign)}")
    negative = sorted(name for name, count in counts.items() if count < 0)
    if negative:
        raise UsageError(f"a task count cannot be negative: {', '.join(negative)}")
    _within_autoscaling(gateway.describe_scalable_targets(options.cluster, sorted(counts)), counts)
    run = Run(gateway, options, progress, clock, sleep)
    expected: dict[str, str] = {}
    seen: dict[str, set[str]] = {}
    for name, count in counts.items():
        service = services[name] or {}
        gateway.update_service({"service": name, "cluster": options.cluster, "desiredCount": count})
        run.wrote("update_service", name, f"scaled service {name} to {count}")
        expected[name] = str(service.get("taskDefinition", ""))
        seen[name] = seen_event_ids(service)
    if options.wait:
        wait_for_services(run, options.cluster, expected, seen)
    families = {family_of(arn): arn for arn in expected.values() if arn}
    return ApplyResult(run.writes, families)


def down(
    desired: DesiredState,
    deployed: DeployedState,
    gateway: Gateway,
    options: ApplyOptions,
    progress: Progress,
    *,
    remove_all: bool,
    volumes: bool = False,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> ApplyResult:
    """Delete the project's services; with `remove_all`, everything else it created too.

    The file system holding the named volumes stays unless `volumes` (`down --all --volumes`).
    """
    run = Run(gateway, options, progress, clock, sleep)
    teardown = Teardown(run, desired, deployed, wait=options.wait or remove_all, volumes=volumes)
    scaling.remove(teardown)  # first: a scalable target outlives its service, and would scale nothing
    service.remove(teardown)
    if remove_all:
        for kind in REMOVAL_ORDER:
            if kind not in {service, scaling}:
                kind.remove(teardown)
    return ApplyResult(run.writes, {})


def _within_autoscaling(targets: dict[str, dict[str, Any]], counts: dict[str, int]) -> None:
    """A count outside a service's autoscaling bounds would not stay: refused before any write."""
    for name, count in sorted(counts.items()):
        bounds = targets.get(name)
        if bounds and not int(bounds["MinCapacity"]) <= count <= int(bounds["MaxCapacity"]):
            msg = (
                f"service {name} scales between {bounds['MinCapacity']} and {bounds['MaxCapacity']} tasks "
                f"(autoscaling), so {count} would not stay: give a count in that range, or change "
                "run_params.autoscaling in ecs-params.yml and run `compose2ecs up`"
            )
            raise UsageError(msg)
