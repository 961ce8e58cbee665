"""What moto cannot show, through the real gateway and botocore's Stubber: a rolled-back deployment
and a service that never becomes steady. Requests are validated against the ECS API model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.stub import ANY, Stubber

from compose2ecs.apply import ApplyOptions
from compose2ecs.apply.teardown import scale
from compose2ecs.errors import AwsError
from compose2ecs.model import DesiredState
from compose2ecs.model.deployed import DeployedState
from tests.fakes import FakeClock, RecordingProgress

if TYPE_CHECKING:
    from compose2ecs.aws import BotoGateway

CLUSTER = "prod"
ARN = "arn:aws:ecs:us-east-1:123456789012"
WEB_1, WEB_2 = f"{ARN}:task-definition/web:1", f"{ARN}:task-definition/web:2"


def service(
    running: int, deployments: list[dict[str, Any]], events: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "serviceName": "web",
        "serviceArn": f"{ARN}:service/{CLUSTER}/web",
        "status": "ACTIVE",
        "taskDefinition": WEB_2,
        "desiredCount": 2,
        "runningCount": running,
        "deployments": deployments,
        "events": events or [],
    }


def deployment(status: str, task_definition: str, rollout: str) -> dict[str, Any]:
    return {
        "id": f"ecs-svc/{status}",
        "status": status,
        "taskDefinition": task_definition,
        "rolloutState": rollout,
    }


def describe(ecs: Stubber, entry: dict[str, Any]) -> None:
    ecs.add_response(
        "describe_services",
        {"services": [entry], "failures": []},
        {"cluster": CLUSTER, "services": ["web"], "include": ANY},
    )


def scale_web(gateway: BotoGateway, clock: FakeClock, timeout: float = 60) -> None:
    desired = DesiredState(project="web", layout="project", region="us-east-1")
    deployed = DeployedState(services={"web": service(1, [deployment("PRIMARY", WEB_2, "COMPLETED")])})
    options = ApplyOptions(CLUSTER, timeout=timeout, poll_interval=5)
    scale(
        desired, deployed, gateway, {"web": 2}, options, RecordingProgress(), clock=clock, sleep=clock.sleep
    )


def test_a_rolled_back_deployment_fails_with_the_stopped_tasks_reasons(
    gateway: BotoGateway, ecs: Stubber
) -> None:
    ecs.add_response(
        "update_service",
        {"service": service(1, [])},
        {"service": "web", "cluster": CLUSTER, "desiredCount": 2},
    )
    # The circuit breaker gave up on revision 2: the primary deployment runs revision 1 again.
    describe(
        ecs,
        service(
            1,
            [deployment("PRIMARY", WEB_1, "COMPLETED"), deployment("ACTIVE", WEB_2, "FAILED")],
            [{"id": "e1", "message": "(service web) rolling back to deployment ecs-svc/1."}],
        ),
    )
    ecs.add_response(
        "list_tasks",
        {"taskArns": [f"{ARN}:task/{CLUSTER}/abc"]},
        {"cluster": CLUSTER, "serviceName": "web", "desiredStatus": "STOPPED"},
    )
    ecs.add_response(
        "describe_tasks",
        {
            "tasks": [
                {
                    "taskArn": f"{ARN}:task/{CLUSTER}/abc",
                    "stoppedReason": "Essential container in task exited",
                    "containers": [
                        {"name": "web", "exitCode": 1, "reason": "OutOfMemoryError: Container killed"}
                    ],
                }
            ],
            "failures": [],
        },
        {"cluster": CLUSTER, "tasks": [f"{ARN}:task/{CLUSTER}/abc"], "include": ANY},
    )

    with pytest.raises(AwsError) as error:
        scale_web(gateway, FakeClock())

    message = str(error.value)
    assert "roll" in message
    assert "Essential container in task exited" in message
    assert "OutOfMemoryError" in message


def test_a_service_that_never_becomes_steady_times_out(gateway: BotoGateway, ecs: Stubber) -> None:
    ecs.add_response(
        "update_service",
        {"service": service(1, [])},
        {"service": "web", "cluster": CLUSTER, "desiredCount": 2},
    )
    for _ in range(3):  # polls at 0, 5 and 10 s of a 10 s timeout
        describe(ecs, service(1, [deployment("PRIMARY", WEB_2, "IN_PROGRESS")]))
    ecs.add_response(
        "list_tasks", {"taskArns": []}, {"cluster": CLUSTER, "serviceName": "web", "desiredStatus": "STOPPED"}
    )

    with pytest.raises(AwsError) as error:
        scale_web(gateway, FakeClock(), timeout=10)

    assert "did not reach a steady state within 10 s" in str(error.value)
