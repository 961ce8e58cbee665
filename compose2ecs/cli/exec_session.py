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
    """(task id, the container's runtime id) of the first running task that runs `container`."""
    for task in tasks:
        if task.get("lastStatus") != "RUNNING":
            continue
        for entry in task.get("containers", []):
            if entry.get("name") == container and entry.get("runtimeId"):
                return str(task["taskArn"]).rsplit("/", 1)[-1], str(entry["runtimeId"])
    msg = f"no running task with a running {container} container: start it with `compose2ecs up`"
    raise UsageError(msg)


def plugin_arguments(
    plugin: str,
    session: dict[str, Any],
    *,
    region: str,
    profile: str | None,
    target: str,
    endpoint_url: str | None,
) -> list[str]:
    """What the AWS CLI passes the plugin: session, region, StartSession, profile, target, endpoint."""
    endpoint = endpoint_url or f"https://ssm.{region}.amazonaws.com"
    return [
        plugin,
        json.dumps(session),
        region,
        "StartSession",
        profile or "",
        json.dumps({"Target": target}),
        endpoint,
    ]


def start(arguments: list[str]) -> int:
    """Run the plugin in this terminal; its exit code. The session's token is never printed."""
    return subprocess.call(arguments)
