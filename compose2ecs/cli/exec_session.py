"""`exec`: ECS Exec into a running task, through the Session Manager plugin, as the AWS CLI does it.

`aws ecs execute-command` asks ECS for a session, then hands it to `session-manager-plugin`,
which opens the terminal. compose2ecs does the same: without the plugin it says how to install it
before any AWS call; without ECS Exec enabled on the service, it says how to enable it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

from compose2ecs.errors import Compose2EcsError, UsageError

PLUGIN = "session-manager-plugin"
PLUGIN_HINT = (
    "install the Session Manager plugin for the AWS CLI: "
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html"
)
EXEC_PERMISSIONS = (
    "ssmmessages:CreateControlChannel, ssmmessages:CreateDataChannel, "
    "ssmmessages:OpenControlChannel, ssmmessages:OpenDataChannel"
)


def plugin_path() -> str:
    """The plugin's path; Compose2EcsError (exit 3) with the install hint when it is not installed."""
    found = shutil.which(PLUGIN)
    if found is None:
        msg = f"`exec` needs the {PLUGIN} program, which is not on PATH: {PLUGIN_HINT}"
        raise Compose2EcsError(msg)
    return found


def require_exec_enabled(service: dict[str, Any]) -> None:
    if not service.get("enableExecuteCommand"):
        name = service.get("serviceName", "")
        msg = (
            f"ECS Exec is off for service {name}: set `run_params.enable_execute_command: true` in "
            "ecs-params.yml and run `compose2ecs up`; the task role (task_definition.task_role_arn) "
            f"must also allow {EXEC_PERMISSIONS}"
        )
        raise UsageError(msg)


def running_task(tasks: list[dict[str, Any]], container: str) -> tuple[str, str]:
    """(task id, the container's runtime id) of a running task where ECS Exec can reach `container`.

    ECS Exec needs the task started with `enableExecuteCommand` (tasks started before it was turned
    on keep it off) and the container's ExecuteCommandAgent running; each miss gets its own hint.
    """
    running = [task for task in tasks if task.get("lastStatus") == "RUNNING"]
    candidates = [
        (task, entry)
        for task in running
        for entry in task.get("containers", [])
        if entry.get("name") == container and entry.get("runtimeId")
    ]
    if not candidates:
        msg = (
            f"no running task with a running {container} container: start the service with "
            "`compose2ecs up` (or a one-off task with `compose2ecs run`), then try again"
        )
        raise UsageError(msg)
    enabled = [(task, entry) for task, entry in candidates if task.get("enableExecuteCommand")]
    if not enabled:
        msg = (
            f"the running tasks of {container} were started before ECS Exec was enabled: "
            "replace them with `compose2ecs up --force-new-deployment`"
        )
        raise UsageError(msg)
    for task, entry in enabled:
        if _agent_status(entry) == "RUNNING":
            return str(task["taskArn"]).rsplit("/", 1)[-1], str(entry["runtimeId"])
    statuses = sorted({_agent_status(entry) or "not reported" for _, entry in enabled})
    msg = (
        f"the ECS Exec agent of {container} is not running (status: {', '.join(statuses)}): "
        "it starts a few seconds after the container; if it stays so, the task role "
        f"(task_definition.task_role_arn) must allow {EXEC_PERMISSIONS}"
    )
    raise Compose2EcsError(msg)


def _agent_status(container: dict[str, Any]) -> str | None:
    for agent in container.get("managedAgents", []):
        if agent.get("name") == "ExecuteCommandAgent":
            return str(agent.get("lastStatus", "")) or None
    return None


def plugin_arguments(
    plugin: str,
    session: dict[str, Any],
    *,
    region: str,
    profile: str | None,
    target: str,
    endpoint_url: str,
) -> list[str]:
    """What the AWS CLI passes the plugin: session, region, StartSession, profile, target, endpoint."""
    return [
        plugin,
        json.dumps(session),
        region,
        "StartSession",
        profile or "",
        json.dumps({"Target": target}),
        endpoint_url,
    ]


def start(arguments: list[str]) -> int:
    """Run the plugin in this terminal; its exit code. The session's token is never printed."""
    return subprocess.call(arguments)
