"""The emulator's ECS, behaviour by behaviour, over HTTP, each response checked against botocore.

Each test drives the emulator with plain boto3 clients, whose every parsed response is also
checked here against the operation's output shape (on top of the emulator's own `--validate`),
and asserts what the ECS documentation says happens (tests/emulator/ecs.py cites the pages).
A fast step (0.1 s) keeps each rollout to a fraction of a second.
"""

from __future__ import annotations

import ipaddress
import time
import urllib.request
import uuid
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from tests.emulator import Emulator, start_emulator
from tests.emulator.validate import shape_errors

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

STEP = 0.1
WAIT = 15.0  # seconds; every transition here is due within a few steps


@pytest.fixture(scope="module")
def fast_emulator() -> Iterator[Emulator]:
    with start_emulator(step=STEP, validate=True) as server:
        yield server
        found = server.violations()
    assert not found, found


class Clients:
    """boto3 clients on the emulator; every response they parse is checked against its shape."""

    def __init__(self, endpoint: str) -> None:
        self.errors: list[str] = []
        self.cluster = "emu"
        self.group = "/ecs/emu"
        session = boto3.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 - the emulator's fake key
            region_name="us-east-1",
        )
        self.ecs = self._client(session, "ecs", endpoint)
        self.ec2 = self._client(session, "ec2", endpoint)
        self.logs = self._client(session, "logs", endpoint)
        self.sd = self._client(session, "servicediscovery", endpoint)

    def _client(self, session: boto3.Session, name: str, endpoint: str) -> Any:
        client = session.client(name, endpoint_url=endpoint)  # type: ignore[call-overload]

        def check(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
            if model.output_shape is not None and http_response.status_code < 300:
                body = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
                self.errors += [f"{model.name}: {e}" for e in shape_errors(body, model.output_shape)]

        client.meta.events.register("after-call", check)
        return client


@pytest.fixture(scope="module")
def clients(fast_emulator: Emulator) -> Clients:
    return Clients(fast_emulator.endpoint)


@pytest.fixture
def aws(clients: Clients) -> Iterator[Clients]:
    """The clients, with a cluster and a log group of this test's own (no reset needed)."""
    suffix = uuid.uuid4().hex[:8]
    clients.cluster, clients.group, clients.errors = f"emu-{suffix}", f"/ecs/emu-{suffix}", []
    yield clients
    assert not clients.errors, clients.errors


def until(check: Callable[[], Any], timeout: float = WAIT) -> Any:
    """Poll until `check` returns something true; that value, or a failed assertion."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(STEP / 2)
    pytest.fail(f"not reached within {timeout} s")


def _definition(aws: Clients, image: str = "nginx:1.27", **container: Any) -> str:
    logging = {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": aws.group,
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": "app",
        },
    }
    answer = aws.ecs.register_task_definition(
        family="emu",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "web", "image": image, "logConfiguration": logging, **container}],
    )
    return str(answer["taskDefinition"]["taskDefinitionArn"])


def _network(aws: Clients, public: bool = True) -> dict[str, Any]:
    subnet = aws.ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    return {
        "awsvpcConfiguration": {"subnets": [subnet], "assignPublicIp": "ENABLED" if public else "DISABLED"}
    }


def _setup(aws: Clients) -> None:
    aws.ecs.create_cluster(clusterName=aws.cluster)
    aws.logs.create_log_group(logGroupName=aws.group)


def _create(aws: Clients, definition: str, count: int = 1, **extra: Any) -> dict[str, Any]:
    return dict(
        aws.ecs.create_service(
            cluster=aws.cluster,
            serviceName="web",
            taskDefinition=definition,
            desiredCount=count,
            launchType="FARGATE",
            networkConfiguration=_network(aws),
            **extra,
        )["service"]
    )


def _service(aws: Clients) -> dict[str, Any]:
    return dict(aws.ecs.describe_services(cluster=aws.cluster, services=["web"])["services"][0])


def _steady(aws: Clients) -> dict[str, Any] | None:
    service = _service(aws)
    deployments = service["deployments"]
    done = len(deployments) == 1 and deployments[0]["rolloutState"] == "COMPLETED"
    return service if done and service["runningCount"] == service["desiredCount"] else None


def _tasks(aws: Clients, status: str = "RUNNING") -> list[dict[str, Any]]:
    arns = aws.ecs.list_tasks(cluster=aws.cluster, serviceName="web", desiredStatus=status)["taskArns"]
    return [dict(t) for t in aws.ecs.describe_tasks(cluster=aws.cluster, tasks=arns)["tasks"]] if arns else []


def _messages(service: dict[str, Any]) -> list[str]:
    return [str(e["message"]) for e in reversed(service["events"])]


def test_create_service_starts_a_deployment_whose_tasks_run_then_complete(aws: Clients) -> None:
    _setup(aws)
    definition = _definition(aws, healthCheck={"command": ["CMD-SHELL", "true"]})

    created = _create(aws, definition)

    [deployment] = created["deployments"]
    assert (deployment["status"], deployment["rolloutState"]) == ("PRIMARY", "IN_PROGRESS")
    assert deployment["taskDefinition"] == definition
    first = until(lambda: _tasks(aws))
    assert first[0]["lastStatus"] in {"PROVISIONING", "PENDING", "RUNNING"}
    service = until(lambda: _steady(aws))
    messages = _messages(service)
    assert messages[0].startswith("(service web) has started 1 tasks: (task ")
    assert messages[-1] == "(service web) has reached a steady state."
    [task] = _tasks(aws)
    assert task["lastStatus"] == "RUNNING"
    assert task["group"] == "service:web"
    assert task["startedBy"] == deployment["id"]
    assert task["taskDefinitionArn"] == definition
    assert (task["healthStatus"], task["containers"][0]["healthStatus"]) == ("HEALTHY", "HEALTHY")


def test_a_task_has_an_eni_in_its_subnet_and_a_public_ip_only_when_asked(aws: Clients) -> None:
    _setup(aws)
    definition = _definition(aws)
    public = aws.ecs.run_task(
        cluster=aws.cluster,
        taskDefinition=definition,
        launchType="FARGATE",
        networkConfiguration=_network(aws),
    )["tasks"][0]
    private = aws.ecs.run_task(
        cluster=aws.cluster,
        taskDefinition=definition,
        launchType="FARGATE",
        networkConfiguration=_network(aws, public=False),
    )["tasks"][0]

    for task, has_public_ip in ((public, True), (private, False)):
        [attachment] = task["attachments"]
        details = {d["name"]: d["value"] for d in attachment["details"]}
        subnet = aws.ec2.describe_subnets(SubnetIds=[details["subnetId"]])["Subnets"][0]
        address = ipaddress.ip_address(details["privateIPv4Address"])
        assert address in ipaddress.ip_network(subnet["CidrBlock"])
        assert task["containers"][0]["networkInterfaces"][0]["privateIpv4Address"] == str(address)
        eni = aws.ec2.describe_network_interfaces(NetworkInterfaceIds=[details["networkInterfaceId"]])
        association = eni["NetworkInterfaces"][0].get("Association", {})
        assert ("PublicIp" in association) is has_public_ip
        assert task["containers"][0]["healthStatus"] == "UNKNOWN"  # no health check


def test_a_new_task_definition_replaces_the_old_deployment_once_the_new_one_runs(aws: Clients) -> None:
    _setup(aws)
    first = _definition(aws)
    _create(aws, first)
    before = until(lambda: _steady(aws))
    [old_task] = _tasks(aws)
    second = _definition(aws, image="nginx:1.28")

    updated = aws.ecs.update_service(cluster=aws.cluster, service="web", taskDefinition=second)["service"]

    statuses = [(d["status"], d["taskDefinition"]) for d in updated["deployments"]]
    assert statuses == [("PRIMARY", second), ("ACTIVE", first)]
    assert updated["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    service = until(lambda: _steady(aws))
    assert service["deployments"][0]["taskDefinition"] == second
    assert service["deployments"][0]["id"] != before["deployments"][0]["id"]
    [stopped] = [t for t in _tasks(aws, "STOPPED") if t["taskArn"] == old_task["taskArn"]]
    assert stopped["lastStatus"] == "STOPPED"
    assert stopped["stoppedReason"].startswith("Scaling activity initiated by (deployment ecs-svc/")
    assert any("has stopped 1 running tasks" in m for m in _messages(service))


def test_force_new_deployment_redeploys_the_same_task_definition(aws: Clients) -> None:
    _setup(aws)
    definition = _definition(aws)
    _create(aws, definition)
    before = until(lambda: _steady(aws))

    updated = aws.ecs.update_service(cluster=aws.cluster, service="web", forceNewDeployment=True)["service"]

    assert len(updated["deployments"]) == 2
    after = until(lambda: _steady(aws))
    assert after["deployments"][0]["id"] != before["deployments"][0]["id"]
    assert after["deployments"][0]["taskDefinition"] == definition


def test_a_desired_count_alone_adjusts_the_primary_deployment(aws: Clients) -> None:
    _setup(aws)
    _create(aws, _definition(aws))
    before = until(lambda: _steady(aws))

    updated = aws.ecs.update_service(cluster=aws.cluster, service="web", desiredCount=3)["service"]

    assert [d["id"] for d in updated["deployments"]] == [before["deployments"][0]["id"]]
    assert updated["deployments"][0]["desiredCount"] == 3
    scaled = until(lambda: _steady(aws) if len(_tasks(aws)) == 3 else None)
    assert (scaled["runningCount"], scaled["pendingCount"]) == (3, 0)


def test_an_exiting_container_trips_the_circuit_breaker_which_rolls_back(aws: Clients) -> None:
    _setup(aws)
    good = _definition(aws)
    breaker = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
    _create(aws, good, deploymentConfiguration=breaker)
    before = until(lambda: _steady(aws))
    bad = _definition(aws, image="nginx:exit-1")

    aws.ecs.update_service(cluster=aws.cluster, service="web", taskDefinition=bad)

    failed = until(
        lambda: next((d for d in _service(aws)["deployments"] if d["rolloutState"] == "FAILED"), None)
    )
    assert failed["taskDefinition"] == bad
    assert failed["rolloutStateReason"] == "ECS deployment circuit breaker: tasks failed to start."
    assert failed["failedTasks"] >= 3  # the documented minimum threshold
    service = until(lambda: _steady(aws))
    assert service["deployments"][0]["taskDefinition"] == good
    assert service["taskDefinition"] == good
    messages = _messages(service)
    assert any(m.endswith("deployment failed: tasks failed to start.") for m in messages)
    assert f"(service web) rolling back to deployment {before['deployments'][0]['id']}." in messages
    crashed = [t for t in _tasks(aws, "STOPPED") if t["taskDefinitionArn"] == bad]
    assert crashed
    assert {t["stoppedReason"] for t in crashed} == {"Essential container in task exited"}
    assert {t["stopCode"] for t in crashed} == {"EssentialContainerExited"}
    assert {t["containers"][0]["exitCode"] for t in crashed} == {1}


def test_without_the_circuit_breaker_a_failing_deployment_keeps_trying(aws: Clients) -> None:
    _setup(aws)
    _create(aws, _definition(aws))
    until(lambda: _steady(aws))
    aws.ecs.update_service(
        cluster=aws.cluster, service="web", taskDefinition=_definition(aws, image="app:exit-1")
    )

    service = until(lambda: (s := _service(aws))["deployments"][0]["failedTasks"] >= 5 and s)

    assert [d["rolloutState"] for d in service["deployments"]] == ["IN_PROGRESS", "COMPLETED"]
    assert service["deployments"][1]["runningCount"] == 1  # the old task keeps serving
    aws.ecs.delete_service(cluster=aws.cluster, service="web", force=True)  # it would retry forever


def test_a_standalone_task_runs_to_completion_and_logs_its_command_line(aws: Clients) -> None:
    _setup(aws)
    definition = _definition(aws, command=["python", "manage.py", "migrate"])
    failing = _definition(aws, image="app:exit-1", command=["false"])

    [task] = aws.ecs.run_task(
        cluster=aws.cluster,
        taskDefinition=definition,
        launchType="FARGATE",
        networkConfiguration=_network(aws),
        overrides={"containerOverrides": [{"name": "web", "command": ["python", "manage.py", "check"]}]},
    )["tasks"]
    [bad] = aws.ecs.run_task(
        cluster=aws.cluster, taskDefinition=failing, launchType="FARGATE", networkConfiguration=_network(aws)
    )["tasks"]

    assert task["lastStatus"] == "PROVISIONING"

    def stopped() -> list[dict[str, Any]] | None:
        found = aws.ecs.describe_tasks(cluster=aws.cluster, tasks=[task["taskArn"], bad["taskArn"]])["tasks"]
        return found if all(t["lastStatus"] == "STOPPED" for t in found) else None

    done = {t["taskArn"]: t for t in until(stopped)}
    assert all(t.get("startedAt") and t["stoppedAt"] >= t["startedAt"] for t in done.values())  # it ran
    assert done[task["taskArn"]]["containers"][0]["exitCode"] == 0
    assert done[bad["taskArn"]]["containers"][0]["exitCode"] == 1
    assert done[task["taskArn"]]["stoppedReason"] == "Essential container in task exited"
    task_id = task["taskArn"].rsplit("/", 1)[-1]
    events = aws.logs.get_log_events(logGroupName=aws.group, logStreamName=f"app/web/{task_id}")["events"]
    assert [e["message"] for e in events] == ["python manage.py check"]


def test_a_task_whose_log_group_is_missing_fails_to_start(aws: Clients) -> None:
    aws.ecs.create_cluster(clusterName=aws.cluster)  # no log group
    [task] = aws.ecs.run_task(
        cluster=aws.cluster,
        taskDefinition=_definition(aws),
        launchType="FARGATE",
        networkConfiguration=_network(aws),
    )["tasks"]

    def stopped() -> dict[str, Any] | None:
        found = aws.ecs.describe_tasks(cluster=aws.cluster, tasks=[task["taskArn"]])["tasks"][0]
        return found if found["lastStatus"] == "STOPPED" else None

    done = until(stopped)
    assert done["stopCode"] == "TaskFailedToStart"
    assert done["stoppedReason"].startswith("ResourceInitializationError:")
    assert "log group does not exist" in done["stoppedReason"]


def test_the_fields_moto_drops_are_kept_and_returned_as_aws_returns_them(aws: Clients) -> None:
    _setup(aws)
    namespace = f"emu-{uuid.uuid4().hex[:6]}"
    operation = aws.sd.create_private_dns_namespace(
        Name=namespace, Vpc=aws.ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    )["OperationId"]
    namespace_id = aws.sd.get_operation(OperationId=operation)["Operation"]["Targets"]["NAMESPACE"]
    namespace_arn = aws.sd.get_namespace(Id=namespace_id)["Namespace"]["Arn"]
    connect = {"enabled": True, "namespace": namespace, "services": [{"portName": "http"}]}
    definition = _definition(aws, portMappings=[{"containerPort": 80, "name": "http"}])

    created = _create(
        aws,
        definition,
        serviceConnectConfiguration=connect,
        enableECSManagedTags=True,
        propagateTags="SERVICE",
    )

    assert created["deploymentConfiguration"] == {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
    }
    assert (created["enableECSManagedTags"], created["propagateTags"]) == (True, "SERVICE")
    assert created["enableExecuteCommand"] is False
    primary = created["deployments"][0]
    assert primary["serviceConnectConfiguration"] == {**connect, "namespace": namespace_arn}
    assert [r["discoveryName"] for r in primary["serviceConnectResources"]] == ["http"]
    assert created["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "ENABLED"

    updated = aws.ecs.update_service(
        cluster=aws.cluster,
        service="web",
        serviceConnectConfiguration={"enabled": False},
        deploymentConfiguration={"maximumPercent": 150},
        enableECSManagedTags=False,
    )["service"]

    assert updated["deployments"][0]["serviceConnectConfiguration"] == {"enabled": False}
    assert updated["deploymentConfiguration"]["maximumPercent"] == 150
    assert updated["deploymentConfiguration"]["minimumHealthyPercent"] == 100
    assert updated["enableECSManagedTags"] is False


def test_a_deleted_service_drains_before_it_is_inactive_and_unlisted(aws: Clients) -> None:
    _setup(aws)
    _create(aws, _definition(aws))
    until(lambda: _steady(aws))

    deleted = aws.ecs.delete_service(cluster=aws.cluster, service="web", force=True)["service"]

    assert (deleted["status"], deleted["desiredCount"]) == ("DRAINING", 0)
    with pytest.raises(aws.ecs.exceptions.ClusterContainsServicesException):
        aws.ecs.delete_cluster(cluster=aws.cluster)
    until(lambda: _service(aws)["status"] == "INACTIVE")
    assert not _tasks(aws)
    assert aws.ecs.list_services(cluster=aws.cluster)["serviceArns"] == []
    aws.ecs.delete_cluster(cluster=aws.cluster)


def test_create_service_is_idempotent_only_with_the_same_client_token(aws: Clients) -> None:
    _setup(aws)
    definition = _definition(aws)
    first = _create(aws, definition, clientToken="token-1")

    again = _create(aws, definition, clientToken="token-1")

    assert again["serviceArn"] == first["serviceArn"]
    assert len(again["deployments"]) == 1
    with pytest.raises(aws.ecs.exceptions.InvalidParameterException, match="not idempotent"):
        _create(aws, definition)


def test_describe_tasks_reports_unknown_tasks_as_missing(aws: Clients) -> None:
    _setup(aws)
    arn = f"arn:aws:ecs:us-east-1:123456789012:task/{aws.cluster}/{uuid.uuid4().hex}"

    answer = aws.ecs.describe_tasks(cluster=aws.cluster, tasks=[arn])

    assert answer["tasks"] == []
    assert answer["failures"] == [{"arn": arn, "reason": "MISSING"}]


def test_the_latency_setting_delays_every_aws_request() -> None:
    with start_emulator(latency_ms=300, validate=False) as slow:
        ecs = boto3.client(
            "ecs",
            endpoint_url=slow.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 - the emulator's fake key
        )
        ecs.list_clusters()  # the first call loads moto's ECS backend
        started = time.monotonic()
        ecs.list_clusters()
        elapsed = time.monotonic() - started
        with urllib.request.urlopen(slow.endpoint + "/emulator/settings") as answer:  # noqa: S310 - local
            settings = answer.read().decode()
    assert elapsed >= 0.3
    assert '"latency_ms": 300.0' in settings


def test_shape_errors_names_a_wrong_type_an_unknown_enum_value_and_an_unknown_member() -> None:
    import botocore.session  # noqa: PLC0415

    shape = botocore.session.get_session().get_service_model("ecs").shape_for("Deployment")

    errors = shape_errors(
        {"rolloutState": "DONE", "desiredCount": "1", "surprise": True, "status": "PRIMARY"}, shape
    )

    assert sorted(errors) == sorted(
        [
            "Deployment.rolloutState: 'DONE' is not one of ['COMPLETED', 'FAILED', 'IN_PROGRESS']",
            "Deployment.desiredCount: expected integer, got str '1'",
            "Deployment: unknown member 'surprise'",
        ]
    )
