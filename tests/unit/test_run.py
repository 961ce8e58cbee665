"""`run`: the RunTask request (checked against botocore's model) and the wait for the exit code."""

from __future__ import annotations

from typing import Any

import pytest

from compose2ecs.apply.run import run_task_request, wait_for_exit
from compose2ecs.errors import AwsError
from compose2ecs.model import Owner
from tests.fakes import CLUSTER, InMemoryGateway, check_shape

OWNER = Owner("shop", CLUSTER, "us-east-1")
NETWORK = {
    "awsvpcConfiguration": {"subnets": ["subnet-a"], "securityGroups": ["sg-1"], "assignPublicIp": "ENABLED"}
}


def service(**extra: Any) -> dict[str, Any]:
    return {
        "serviceName": "shop",
        "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/shop:3",
        "networkConfiguration": NETWORK,
        "launchType": "FARGATE",
        "platformVersion": "1.4.0",
        "desiredCount": 2,
        "deploymentConfiguration": {"maximumPercent": 200},
        **extra,
    }


def test_the_request_runs_the_services_revision_in_its_network_with_one_container_overridden() -> None:
    request = run_task_request(
        service(),
        "web",
        command=["manage.py", "migrate"],
        environment={"MODE": "once"},
        owner=OWNER,
        cluster=CLUSTER,
    )

    check_shape("ecs", "RunTask", request)
    assert request["taskDefinition"].endswith("shop:3")
    assert request["networkConfiguration"] == NETWORK
    assert (request["launchType"], request["platformVersion"], request["count"]) == ("FARGATE", "1.4.0", 1)
    assert request["overrides"] == {
        "containerOverrides": [
            {
                "name": "web",
                "command": ["manage.py", "migrate"],
                "environment": [{"name": "MODE", "value": "once"}],
            }
        ]
    }
    assert {"key": "compose2ecs:project", "value": "shop"} in request["tags"]
    assert "desiredCount" not in request
    assert "deploymentConfiguration" not in request


def test_a_capacity_provider_strategy_replaces_the_launch_type_and_no_command_keeps_the_services() -> None:
    strategy = [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    request = run_task_request(
        service(capacityProviderStrategy=strategy, launchType=None),
        "web",
        command=None,
        environment={},
        owner=OWNER,
        cluster=CLUSTER,
    )

    check_shape("ecs", "RunTask", request)
    assert request["capacityProviderStrategy"] == strategy
    assert "launchType" not in request
    assert request["overrides"] == {"containerOverrides": [{"name": "web"}]}


def _task(image: str) -> tuple[InMemoryGateway, dict[str, Any]]:
    gateway = InMemoryGateway()
    gateway.create_cluster(CLUSTER, {})
    registered = gateway.register_task_definition(
        {
            "family": "shop",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "256",
            "memory": "512",
            "containerDefinitions": [{"name": "web", "image": image}],
        }
    )
    request = run_task_request(
        service(taskDefinition=registered["taskDefinitionArn"]),
        "web",
        command=None,
        environment={},
        owner=OWNER,
        cluster=CLUSTER,
    )
    return gateway, gateway.run_task(request)


@pytest.mark.parametrize(("image", "code"), [("busybox:1.36", 0), ("busybox:exit-1", 1)])
def test_the_wait_returns_the_containers_exit_code(image: str, code: int) -> None:
    gateway, task = _task(image)
    polls: list[str] = []

    exit_code = wait_for_exit(
        gateway,
        CLUSTER,
        task,
        "web",
        on_poll=lambda t: polls.append(t["lastStatus"]),
        timeout=60,
        sleep=lambda _: None,
    )

    assert exit_code == code
    assert polls[-1] == "STOPPED"


def test_a_task_that_stopped_before_its_container_ran_is_an_aws_error() -> None:
    gateway, task = _task("busybox:1.36")
    stored = gateway.tasks[task["taskArn"]]
    stored.update(
        lastStatus="STOPPED", stopCode="TaskFailedToStart", stoppedReason="CannotPullContainerError"
    )
    for container in stored["containers"]:
        container.pop("exitCode", None)
    gateway.tasks[task["taskArn"]] = {**stored, "group": "service:keep"}  # not advanced by the fake again

    with pytest.raises(AwsError) as caught:
        wait_for_exit(gateway, CLUSTER, task, "web", on_poll=lambda _: None, timeout=60, sleep=lambda _: None)

    assert caught.value.code == "TaskFailedToStart"
    assert "CannotPullContainerError" in caught.value.message


def test_when_the_container_exits_and_the_task_runs_on_the_task_is_stopped() -> None:
    # The project layout: `migrate` (not essential) exits, the web server beside it would run on.
    gateway, task = _task("busybox:1.36")
    stored = gateway.tasks[task["taskArn"]]
    stored["group"] = "service:keep"  # the fake does not end it by itself
    stored["containers"] = [
        {"name": "web", "lastStatus": "STOPPED", "exitCode": 3},
        {"name": "nginx", "lastStatus": "RUNNING"},
    ]

    code = wait_for_exit(
        gateway, CLUSTER, task, "web", on_poll=lambda _: None, timeout=60, sleep=lambda _: None
    )

    assert code == 3
    assert ("stop_task", CLUSTER, task["taskArn"]) in gateway.calls
    assert gateway.tasks[task["taskArn"]]["lastStatus"] == "STOPPED"


def test_a_container_still_running_is_waited_for() -> None:
    gateway, task = _task("busybox:1.36")
    stored = gateway.tasks[task["taskArn"]]
    stored["group"] = "service:keep"
    stored["containers"] = [{"name": "web", "lastStatus": "RUNNING"}]
    ticks = iter(range(100))

    with pytest.raises(AwsError, match="still RUNNING after 5 s"):
        wait_for_exit(
            gateway,
            CLUSTER,
            task,
            "web",
            on_poll=lambda _: None,
            timeout=5,
            clock=lambda: next(ticks),
            sleep=lambda _: None,
        )
    assert not [c for c in gateway.calls if c[0] == "stop_task"]
