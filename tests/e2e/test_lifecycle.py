"""The Fargate tutorial's whole workflow through the CLI, over HTTP against the emulator.

The emulator's ECS rolls deployments out on its own clock (tests/emulator/ecs.py), so every `up`
and `scale` here waits for a steady service as it would on AWS: no `--no-wait`, no task seeded
by hand, no log line written by the test.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3

from compose2ecs.apply import ApplyOptions, apply_plan
from compose2ecs.aws import AwsSettings, BotoGateway
from compose2ecs.load import ProjectOptions
from compose2ecs.workflow import ConvertOptions, convert, plan
from tests.cli._helpers import Result, run, write
from tests.emulator import REGION, writes
from tests.fakes import RecordingProgress

if TYPE_CHECKING:
    import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fargate-tutorial"
PROJECT = "tutorial"
ROLE = "ecsTaskExecutionRole"
CLEARED = ("COMPOSE_FILE", "COMPOSE_PROFILES", "COMPOSE_PROJECT_NAME", "COMPOSE2ECS_CLUSTER", "GREETING")


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> Result:
    return run(capsys, *argv, "-p", PROJECT)


def _hand_made_role() -> None:
    """What the tutorial does with the AWS CLI before ecs-cli: a role compose2ecs did not create."""
    iam = boto3.client("iam")
    trust = json.loads((EXAMPLE / "task-execution-assume-role.json").read_text())
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))


def _api_calls_of_up(project_dir: Path) -> list[str]:
    """The API calls of a whole `up` (plan, then apply) on the real gateway, counted per operation."""
    options = ConvertOptions(ProjectOptions(cwd=str(project_dir), project_name=PROJECT), region=REGION)
    conversion = convert(options, {})
    gateway = BotoGateway.from_settings(AwsSettings(region=REGION))
    deployment = plan(conversion, gateway, "default")
    assert deployment.plan.in_sync
    # apply_plan itself must write nothing for a plan in sync (the CLI does not even call it).
    result = apply_plan(
        deployment.plan,
        conversion.desired,
        deployment.deployed,
        gateway,
        ApplyOptions("default"),
        RecordingProgress(),
    )
    assert result.writes == []
    return list(gateway.calls)


def _running_tasks() -> list[dict[str, Any]]:
    ecs = boto3.client("ecs")
    arns = ecs.list_tasks(cluster="default", serviceName=PROJECT)["taskArns"]
    return [dict(t) for t in ecs.describe_tasks(cluster="default", tasks=arns)["tasks"]] if arns else []


def _public_ip(task: dict[str, Any]) -> str:
    details = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
    eni = boto3.client("ec2").describe_network_interfaces(NetworkInterfaceIds=[details["networkInterfaceId"]])
    return str(eni["NetworkInterfaces"][0]["Association"]["PublicIp"])


def test_tutorial_lifecycle(
    moto: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "tutorial"
    shutil.copytree(EXAMPLE, project)
    monkeypatch.chdir(project)
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)
    _hand_made_role()
    ecs = boto3.client("ecs")

    # Nothing deployed yet: diff lists everything to create and exits 1.
    result = _cli(capsys, "diff")
    assert result.code == 1, result.err
    assert "create service tutorial" in result.out

    # up creates it all and waits until ECS has started the task and calls the service steady.
    result = _cli(capsys, "up", "--timeout", "60")
    assert result.code == 0, result.err
    assert "has started 1 tasks" in result.out
    assert "has reached a steady state" in result.out
    assert "tutorial is deployed and steady" in result.out
    assert ecs.describe_task_definition(taskDefinition=PROJECT)["taskDefinition"]["revision"] == 1

    # In sync: diff exits 0, and a second up makes no write call at all.
    result = _cli(capsys, "diff")
    assert result.code == 0, result.out
    assert "in sync" in result.out
    result = _cli(capsys, "up")
    assert result.code == 0
    assert "in sync" in result.out
    calls = _api_calls_of_up(project)
    assert calls, "the reads are counted"
    assert not writes(calls), calls

    # A change shows field by field; up registers revision 2 and waits for its rollout.
    monkeypatch.setenv("GREETING", "hello again")
    result = _cli(capsys, "diff")
    assert result.code == 1
    assert "containerDefinitions[web].environment[GREETING]" in result.out
    assert '"hello again"' in result.out
    result = _cli(capsys, "up", "--timeout", "60")
    assert result.code == 0, result.err
    assert "has stopped 1 running tasks" in result.out  # the revision-1 task, once revision 2 runs
    assert "tutorial is deployed and steady" in result.out
    service = ecs.describe_services(cluster="default", services=[PROJECT])["services"][0]
    assert service["taskDefinition"].endswith(f"{PROJECT}:2")
    assert [d["status"] for d in service["deployments"]] == ["PRIMARY"]

    # ps: the running task of revision 2, with its private and public addresses.
    [task] = _running_tasks()
    task_id = str(task["taskArn"]).rsplit("/", 1)[-1]
    private_ip = str(task["containers"][0]["networkInterfaces"][0]["privateIpv4Address"])
    result = _cli(capsys, "ps")
    assert result.code == 0, result.err
    row = next(line for line in result.out.splitlines() if task_id in line)
    assert f"{PROJECT}:2" in row
    assert "RUNNING" in row
    assert private_ip in row
    assert _public_ip(task) in row

    # logs: what the task's container wrote to CloudWatch, prefixed by container and task.
    result = _cli(capsys, "logs", "web")
    assert result.code == 0, result.err
    assert re.search(rf"web-{task_id[:12]} \| .*amazon/amazon-ecs-sample", result.out), result.out

    # scale to two tasks, and wait for the second.
    result = _cli(capsys, "scale", "2", "--timeout", "60")
    assert result.code == 0, result.err
    assert len(_running_tasks()) == 2
    result = _cli(capsys, "diff")
    assert result.code == 0, result.out  # desiredCount is the scale's, not the files'

    # A release whose container exits: the circuit breaker (on by default) rolls back, up fails
    # with exit 3 and says why, with the stopped tasks' reasons.
    compose = project / "docker-compose.yml"
    compose.write_text(
        compose.read_text().replace("amazon/amazon-ecs-sample", "amazon/amazon-ecs-sample:exit-1")
    )
    result = _cli(capsys, "up", "--timeout", "60")
    assert result.code == 3, result.out + result.err
    assert f"rolled service {PROJECT} back to {PROJECT}:2 (deployed {PROJECT}:3)" in result.err
    assert "Essential container in task exited" in result.err
    assert "exit code 1" in result.err
    service = ecs.describe_services(cluster="default", services=[PROJECT])["services"][0]
    assert service["deployments"][0]["taskDefinition"].endswith(f"{PROJECT}:2")

    # down removes the service (and waits until it is gone); down --all the rest compose2ecs
    # created, but not the hand-made role.
    result = _cli(capsys, "down")
    assert result.code == 0, result.err
    services = ecs.describe_services(cluster="default", services=[PROJECT])["services"]
    assert [s["status"] for s in services] == ["INACTIVE"]
    assert not _running_tasks()
    result = _cli(capsys, "down", "--all")
    assert result.code == 0, result.err
    assert not ecs.list_task_definitions(familyPrefix=PROJECT, status="ACTIVE")["taskDefinitionArns"]
    assert not boto3.client("logs").describe_log_groups(logGroupNamePrefix=f"/ecs/{PROJECT}")["logGroups"]
    assert boto3.client("iam").get_role(RoleName=ROLE)["Role"]["RoleName"] == ROLE
    assert f"kept role {ROLE}" in result.out
    groups = boto3.client("ec2").describe_security_groups(
        Filters=[{"Name": "group-name", "Values": [PROJECT]}]
    )
    assert not groups["SecurityGroups"]

    # A second down finds nothing to remove.
    result = _cli(capsys, "down", "--all")
    assert result.code == 0
    assert "nothing to remove" in result.out


SERVICE_CONNECT_APP: dict[str, str | bytes] = {
    "docker-compose.yml": (
        "services:\n"
        "  api:\n"
        "    image: nginx:1.27\n"
        "    expose:\n"
        "      - '8080'\n"
        "  web:\n"
        "    image: nginx:1.27\n"
        "    ports:\n"
        "      - '80:80'\n"
        "    environment:\n"
        "      API_URL: http://api:8080\n"
    ),
}


def test_a_service_layout_project_with_service_connect_reads_back_in_sync(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write(tmp_path / "connect", SERVICE_CONNECT_APP)
    monkeypatch.chdir(project)
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)
    argv = ("-p", "connect", "--layout", "service", "--cluster", "connect")

    result = run(capsys, "up", *argv, "--timeout", "60")
    assert result.code == 0, result.out + result.err
    ecs = boto3.client("ecs")
    services = ecs.describe_services(cluster="connect", services=["connect-api", "connect-web"])["services"]
    connect = [s["deployments"][0].get("serviceConnectConfiguration", {}) for s in services]
    assert [c.get("enabled") for c in connect] == [True, True]
    assert all(str(c["namespace"]).startswith("arn:aws:servicediscovery:") for c in connect)

    result = run(capsys, "diff", *argv)
    assert result.code == 0, result.out

    result = run(capsys, "down", "--all", *argv)
    assert result.code == 0, result.err
