"""The in-memory gateway behaves like AWS where apply, plan and the CLI tests rely on it."""

from __future__ import annotations

from typing import Any

import pytest

from compose2ecs.errors import AwsError
from compose2ecs.resources.gateway import Gateway, LogEvent
from tests.fakes import CLUSTER, PROJECT, TRUST_POLICY, InMemoryGateway, tutorial_project

WEB = f"{PROJECT}-web"


def registration(image: str = "nginx") -> dict[str, Any]:
    return {
        "family": "web",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [{"name": "web", "image": image, "portMappings": [{"containerPort": 80}]}],
        "tags": [{"key": "team", "value": "a"}],
    }


def running_service(gateway: InMemoryGateway, name: str = "web", count: int = 2) -> None:
    gateway.create_cluster(CLUSTER, {})
    gateway.create_service(
        {
            "serviceName": name,
            "cluster": CLUSTER,
            "taskDefinition": "web",
            "desiredCount": count,
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-a"]}},
        }
    )


def test_it_implements_the_gateway_protocol() -> None:
    gateway: Gateway = InMemoryGateway()
    assert gateway.default_vpc_subnets()[0] == "vpc-0default"


def test_requests_are_checked_against_the_aws_api_model() -> None:
    request = registration()
    request["containerDefinitions"][0]["portMappings"] = [{"containerPort": "80"}]

    with pytest.raises(AwsError, match="containerPort") as caught:
        InMemoryGateway().register_task_definition(request)
    assert caught.value.code == "ParamValidation"


def test_an_execution_role_must_be_given_as_an_arn() -> None:
    request = {**registration(), "executionRoleArn": "bare-name"}

    with pytest.raises(AwsError, match="Role is not valid"):
        InMemoryGateway().register_task_definition(request)


def test_fail_on_fails_the_nth_call_once() -> None:
    gateway = InMemoryGateway()
    gateway.fail_on("create_cluster", nth=2)

    gateway.create_cluster("a", {})
    with pytest.raises(AwsError, match="injected failure"):
        gateway.create_cluster("b", {})
    gateway.create_cluster("c", {})

    assert sorted(gateway.clusters) == ["a", "c"]
    assert gateway.operations() == ["create_cluster"] * 3


def test_an_awsvpc_service_needs_a_network_configuration() -> None:
    gateway = InMemoryGateway()
    gateway.create_cluster(CLUSTER, {})
    gateway.register_task_definition(registration())

    with pytest.raises(AwsError, match="Network Configuration must be provided"):
        gateway.create_service({"serviceName": "web", "cluster": CLUSTER, "taskDefinition": "web"})


def test_a_service_name_is_free_again_only_once_the_old_service_is_inactive() -> None:
    gateway = InMemoryGateway(drain_polls=1)
    gateway.register_task_definition(registration())
    running_service(gateway)
    gateway.delete_service(CLUSTER, "web")

    with pytest.raises(AwsError, match="not idempotent"):
        running_service(gateway)
    assert (gateway.describe_service(CLUSTER, "web") or {})["status"] == "INACTIVE"
    running_service(gateway)


def test_running_tasks_have_public_ips() -> None:
    gateway = InMemoryGateway()
    gateway.register_task_definition(registration())
    running_service(gateway, count=2)

    tasks = gateway.describe_tasks(CLUSTER, gateway.list_task_arns(CLUSTER, "web"))

    enis = [d["value"] for t in tasks for a in t["attachments"] for d in a["details"]]
    assert len(enis) == 2
    assert len(gateway.public_ips(enis)) == 2


def test_read_state_reports_a_service_running_an_older_revision() -> None:
    gateway = InMemoryGateway()
    desired = tutorial_project()
    gateway.create_cluster(CLUSTER, {})
    gateway.create_role(desired.roles[0].name, "/", TRUST_POLICY, {})
    arn = gateway.roles[desired.roles[0].name].role["Arn"]
    request = {**desired.task_definitions[0], "executionRoleArn": arn}
    first = gateway.register_task_definition(request)
    network = {"awsvpcConfiguration": {"subnets": ["subnet-a"]}}
    gateway.create_service({**desired.services[0], "cluster": CLUSTER, "networkConfiguration": network})
    gateway.register_task_definition(request)

    state = gateway.read_state(desired, CLUSTER)

    assert state.task_definitions[WEB]["revision"] == 2
    assert state.services[WEB]["taskDefinition"] == first["taskDefinitionArn"]
    assert state.services[WEB]["tags"] == desired.services[0]["tags"]
    assert state.cluster is not None
    assert state.cluster["activeServicesCount"] == 1


def test_log_events_come_in_pages_filtered_by_stream_prefix_and_start() -> None:
    gateway = InMemoryGateway()
    gateway.create_log_group("/ecs/x", "us-east-1", {})
    gateway.log_events["/ecs/x"] = [
        LogEvent(f"{s}/{s}/1", t, f"{s} {t}") for t in range(5) for s in ("web", "db")
    ]
    gateway.log_page_size = 2

    messages: list[str] = []
    token: str | None = None
    while True:
        page, token = gateway.filter_log_events("/ecs/x", "us-east-1", "web/", 1, token)
        messages += [event.message for event in page]
        if token is None:
            break

    assert messages == ["web 1", "web 2", "web 3", "web 4"]
