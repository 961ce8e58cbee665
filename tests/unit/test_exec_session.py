"""Which task `exec` enters, and what it says when none can be entered (issue 11, item 4)."""

from __future__ import annotations

from typing import Any

import pytest

from compose2ecs.cli.exec_session import plugin_arguments, running_task
from compose2ecs.errors import Compose2EcsError, UsageError


def _task(
    task_id: str, *, status: str = "RUNNING", exec_on: bool = True, agent: str | None = "RUNNING"
) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "web", "runtimeId": f"{task_id}-1", "lastStatus": status}
    if agent is not None:
        container["managedAgents"] = [{"name": "ExecuteCommandAgent", "lastStatus": agent}]
    return {
        "taskArn": f"arn:aws:ecs:us-east-1:1:task/c/{task_id}",
        "lastStatus": status,
        "enableExecuteCommand": exec_on,
        "containers": [container],
    }


def test_the_first_task_whose_agent_runs_is_chosen() -> None:
    tasks = [_task("a", agent="PENDING"), _task("b"), _task("c")]
    assert running_task(tasks, "web") == ("b", "b-1")


def test_tasks_started_before_ecs_exec_was_enabled_point_at_a_new_deployment() -> None:
    with pytest.raises(UsageError, match="up --force-new-deployment"):
        running_task([_task("a", exec_on=False, agent=None)], "web")


def test_an_agent_that_is_not_running_names_its_status_and_the_permissions() -> None:
    with pytest.raises(Compose2EcsError, match=r"status: PENDING\).*ssmmessages:OpenDataChannel"):
        running_task([_task("a", agent="PENDING")], "web")


def test_no_running_task_names_up_and_run() -> None:
    with pytest.raises(UsageError, match=r"compose2ecs up.*compose2ecs run"):
        running_task([_task("a", status="STOPPED")], "web")
    with pytest.raises(UsageError, match="running worker container"):
        running_task([_task("a")], "worker")


def test_the_plugin_gets_the_ecs_endpoint_as_the_aws_cli_hands_it() -> None:
    arguments = plugin_arguments(
        "plugin",
        {"sessionId": "s"},
        region="eu-west-1",
        profile=None,
        target="ecs:c_a_a-1",
        endpoint_url="https://ecs.eu-west-1.amazonaws.com",
    )
    assert arguments[1:] == [
        '{"sessionId": "s"}',
        "eu-west-1",
        "StartSession",
        "",
        '{"Target": "ecs:c_a_a-1"}',
        "https://ecs.eu-west-1.amazonaws.com",
    ]
