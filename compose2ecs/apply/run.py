"""`run`: a one-off task from a deployed service's task definition, as `docker compose run` does.

The task runs the revision and the network the ECS service runs, with the container's command
(and environment) overridden, and is tagged as the deployment's. Nothing else is written: no new
revision, no service change. The caller streams its logs while `wait_for_exit` polls it, and exits
with the container's exit code.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from compose2ecs.errors import AwsError
from compose2ecs.model import ecs_tags, resource_id

if TYPE_CHECKING:
    from collections.abc import Callable

    from compose2ecs.model import Owner
    from compose2ecs.resources.gateway import Gateway

STARTED_BY = "compose2ecs-run"  # ECS shows it on the task; at most 36 characters
# Network and capacity as the service has them; the rest of a CreateService request is not RunTask's.
_FROM_SERVICE = ("networkConfiguration", "launchType", "capacityProviderStrategy", "platformVersion")


def run_task_request(
    service: dict[str, Any],
    container: str,
    *,
    command: list[str] | None,
    environment: dict[str, str],
    owner: Owner,
    cluster: str,
) -> dict[str, Any]:
    """The RunTask request: the service's revision, network and capacity, one container overridden."""
    override: dict[str, Any] = {"name": container}
    if command:
        override["command"] = list(command)
    if environment:
        override["environment"] = [{"name": k, "value": v} for k, v in environment.items()]
    request: dict[str, Any] = {
        "cluster": cluster,
        "taskDefinition": service["taskDefinition"],
        "count": 1,
        "group": f"run:{container}"[:255],
        "startedBy": STARTED_BY,
        "overrides": {"containerOverrides": [override]},
        "tags": ecs_tags(owner.tags()),
        "enableExecuteCommand": bool(service.get("enableExecuteCommand")),
    }
    request.update({key: service[key] for key in _FROM_SERVICE if service.get(key)})
    if "capacityProviderStrategy" in request:
        request.pop("launchType", None)  # RunTask takes one or the other
    return request


def wait_for_exit(
    gateway: Gateway,
    cluster: str,
    task: dict[str, Any],
    container: str,
    *,
    on_poll: Callable[[dict[str, Any]], None],
    timeout: float,
    poll_interval: float = 2.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Poll until `container` stops; its exit code. AwsError when it never ran.

    The task stops by itself when an essential container exits; when `container` is not essential
    (a `migrate` beside a web server in the project layout), the rest would run on, so the task is
    stopped once `container` has exited: nothing else of it was asked for.
    """
    arn = str(task["taskArn"])
    deadline = clock() + timeout
    while True:
        found = gateway.describe_tasks(cluster, [arn])
        current = found[0] if found else task
        on_poll(current)
        if current.get("lastStatus") == "STOPPED":
            return _exit_code(current, container)
        ended = _ended(current, container)
        if ended is not None:
            gateway.stop_task(cluster, arn, f"compose2ecs run: {container} exited with code {ended}")
            return ended
        if clock() >= deadline:
            raise AwsError(
                "wait for the task",
                f"still {current.get('lastStatus', 'running')} after {timeout:g} s",
                code="Timeout",
                resource=resource_id(arn),
                hint=f"it goes on running; stop it with `aws ecs stop-task --cluster {cluster} --task {arn}`",
            )
        sleep(poll_interval)


def _ended(task: dict[str, Any], container: str) -> int | None:
    """The exit code of `container` once it has stopped in a task that runs on; else None."""
    for entry in task.get("containers", []):
        if entry.get("name") == container and entry.get("lastStatus") == "STOPPED":
            code = entry.get("exitCode")
            return None if code is None else int(code)
    return None


def _exit_code(task: dict[str, Any], container: str) -> int:
    for entry in task.get("containers", []):
        if entry.get("name") == container and entry.get("exitCode") is not None:
            return int(entry["exitCode"])
    reason = task.get("stoppedReason") or "no reason given"
    code = str(task.get("stopCode") or "TaskFailedToStart")
    detail = next((str(c["reason"]) for c in task.get("containers", []) if c.get("reason")), "")
    message = f"the task stopped before {container} ran: {reason}" + (f" ({detail})" if detail else "")
    raise AwsError("run task", message, code=code, resource=resource_id(str(task.get("taskArn", ""))))
