"""Waiting on ECS services: until a deployment is steady, or until a deleted service is gone.

Every poll reports the service and its new events (ECS keeps the latest 100, newest first). A
completed circuit-breaker rollback looks steady to the plain `services_stable` waiter, so a
deployment also fails when the primary deployment runs another task definition than the one
deployed (ecspresso learnt this the hard way, kayac/ecspresso #732).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from compose2ecs.errors import AwsError
from compose2ecs.model import resource_id

if TYPE_CHECKING:
    from collections.abc import Iterable

    from compose2ecs.resources.run import Run

MAX_STOPPED_TASKS = 5  # enough to show the pattern without flooding the terminal
_ROLLBACK_WORDS = ("rolled back", "rolling back")
_GONE = {"INACTIVE"}


@dataclass
class _Watch:
    name: str
    expected_task_definition: str
    seen_events: set[str] = field(default_factory=set)

    def new_events(self, service: dict[str, Any]) -> list[dict[str, Any]]:
        """The events not reported yet, oldest first."""
        fresh = [event for event in service.get("events", ()) if _event_id(event) not in self.seen_events]
        self.seen_events.update(_event_id(event) for event in fresh)
        return list(reversed(fresh))


def _event_id(event: dict[str, Any]) -> str:
    return str(event.get("id") or (event.get("createdAt"), event.get("message")))


def seen_event_ids(service: dict[str, Any] | None) -> set[str]:
    """Ids of the events a service already had, so only what this run causes is reported."""
    return {_event_id(event) for event in (service or {}).get("events", ())}


def wait_for_services(
    run: Run, cluster: str, expected: dict[str, str], seen: dict[str, set[str]] | None = None
) -> None:
    """Poll each service (name -> task definition ARN it must run) until steady; AwsError when not."""
    watches = [_Watch(name, arn, set((seen or {}).get(name, ()))) for name, arn in expected.items()]
    deadline = run.clock() + run.options.timeout
    while True:
        pending: list[_Watch] = []
        for watch in watches:
            service = run.gateway.describe_service(cluster, watch.name)
            if service is None or service.get("status") != "ACTIVE":
                state = "missing" if service is None else f"{service.get('status')}"
                raise _failure(run, cluster, watch.name, f"service {watch.name} is {state} while deploying")
            new_events = watch.new_events(service)
            run.progress.service(watch.name, service, new_events)
            failure = _deployment_failure(service, watch, new_events)
            if failure:
                raise _failure(run, cluster, watch.name, failure)
            if is_steady(service):
                run.progress.step(f"service {watch.name} is steady")
            else:
                pending.append(watch)
        watches = pending
        if not watches:
            return
        if run.clock() >= deadline:
            name = watches[0].name
            message = (
                f"service {name} did not reach a steady state within {run.options.timeout:g} s; it is "
                "still deploying — check `compose2ecs ps` and `compose2ecs logs`, or its events in the "
                "ECS console"
            )
            raise _failure(run, cluster, name, message, code="Timeout")
        run.sleep(run.options.poll_interval)


def wait_until_gone(
    run: Run, cluster: str, names: Iterable[str], seen: dict[str, set[str]] | None = None
) -> None:
    """Poll deleted services until ECS reports them INACTIVE (or not at all)."""
    watches = [_Watch(name, "", set((seen or {}).get(name, ()))) for name in names]
    deadline = run.clock() + run.options.timeout
    while True:
        pending: list[_Watch] = []
        for watch in watches:
            service = run.gateway.describe_service(cluster, watch.name)
            if service is None or service.get("status") in _GONE:
                run.progress.step(f"service {watch.name} is gone")
                continue
            run.progress.service(watch.name, service, watch.new_events(service))
            pending.append(watch)
        watches = pending
        if not watches:
            return
        if run.clock() >= deadline:
            raise AwsError(
                "wait for service deletion",
                f"still draining after {run.options.timeout:g} s",
                code="Timeout",
                resource=watches[0].name,
                hint="ECS finishes the deletion on its own; run the command again later",
            )
        run.sleep(run.options.poll_interval)


def _primary(service: dict[str, Any]) -> dict[str, Any] | None:
    return next((d for d in service.get("deployments", ()) if d.get("status") == "PRIMARY"), None)


def is_steady(service: dict[str, Any]) -> bool:
    """One deployment, rolled out, and every desired task running."""
    deployments = service.get("deployments", [])
    primary = _primary(service)
    if primary is None or len(deployments) != 1:
        return False
    if service.get("runningCount") != service.get("desiredCount"):
        return False
    rollout = primary.get("rolloutState")
    if rollout is None:
        return primary.get("runningCount") == primary.get("desiredCount")
    return bool(rollout == "COMPLETED")


def _deployment_failure(service: dict[str, Any], watch: _Watch, new_events: list[dict[str, Any]]) -> str:
    """Why the deployment failed, or "" while it may still succeed."""
    primary = _primary(service)
    if primary is not None:
        if primary.get("rolloutState") == "FAILED":
            reason = primary.get("rolloutStateReason") or "no reason given"
            return f"the deployment of service {watch.name} failed: {reason}"
        running = primary.get("taskDefinition")
        if running and running != watch.expected_task_definition:
            return (
                f"the deployment circuit breaker rolled service {watch.name} back to {resource_id(running)} "
                f"(deployed {resource_id(watch.expected_task_definition)})"
            )
    for event in new_events:
        message = str(event.get("message", ""))
        if any(word in message.lower() for word in _ROLLBACK_WORDS):
            return f"the deployment of service {watch.name} was rolled back: {message}"
    return ""


def _failure(run: Run, cluster: str, name: str, message: str, code: str = "DeploymentFailed") -> AwsError:
    lines = stopped_task_reasons(run, cluster, name)
    if lines:
        message += "\n  recently stopped tasks:\n" + "\n".join(f"    {line}" for line in lines)
    return AwsError("wait for service", message, code=code, resource=name)


def stopped_task_reasons(run: Run, cluster: str, service: str) -> list[str]:
    """One line per recently stopped task: why it stopped, and each container's exit code and reason."""
    try:
        arns = run.gateway.list_task_arns(cluster, service, "STOPPED")[:MAX_STOPPED_TASKS]
        tasks = run.gateway.describe_tasks(cluster, arns) if arns else []
    except AwsError as error:
        # The deployment failure is the news; not being able to explain it must not hide it.
        return [f"(could not read the stopped tasks: {error.message})"]
    return [_task_line(task) for task in tasks]


def _task_line(task: dict[str, Any]) -> str:
    task_id = resource_id(str(task.get("taskArn", "?")))
    line = f"task {task_id}: {task.get('stoppedReason') or 'stopped, no reason given'}"
    details = []
    for container in task.get("containers", ()):
        parts = []
        if container.get("exitCode") is not None:
            parts.append(f"exit code {container['exitCode']}")
        if container.get("reason"):
            parts.append(str(container["reason"]))
        if parts:
            details.append(f"{container.get('name', '?')}: {', '.join(parts)}")
    return f"{line} ({'; '.join(details)})" if details else line


def unsteady_services(
    services: Iterable[str], deployed: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The deployed services among `services` that are live but not steady, by name."""
    out = {}
    for name in services:
        service = deployed.get(name)
        if service is not None and service.get("status") == "ACTIVE" and not is_steady(service):
            out[name] = service
    return out


def rollout_summary(service: dict[str, Any]) -> str:
    """`rollout FAILED (reason), 0/1 running, 3 failed tasks`: why a service is not steady."""
    primary = _primary(service) or {}
    parts = [f"rollout {primary.get('rolloutState', 'unknown')}"]
    if primary.get("rolloutState") == "FAILED" and primary.get("rolloutStateReason"):
        parts[0] += f" ({primary['rolloutStateReason']})"
    parts.append(f"{service.get('runningCount', 0)}/{service.get('desiredCount', 0)} running")
    if len(service.get("deployments", ())) > 1:
        parts.append(f"{len(service['deployments'])} deployments")
    if primary.get("failedTasks"):
        parts.append(f"{primary['failedTasks']} failed tasks")
    return ", ".join(parts)


def settle(run: Run, cluster: str, services: dict[str, dict[str, Any]]) -> None:
    """Wait for services that need no change but are not steady; AwsError when one does not settle.

    Being in sync is not enough to report success: a deployment that is still failing (a crash
    loop, a circuit breaker that tripped without rollback) would otherwise pass a CI retry.
    """
    expected = {name: str(service.get("taskDefinition", "")) for name, service in services.items()}
    wait_for_services(run, cluster, expected, {name: seen_event_ids(s) for name, s in services.items()})
