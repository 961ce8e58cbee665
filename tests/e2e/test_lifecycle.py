"""The Fargate tutorial's whole workflow through the CLI, over HTTP against a moto server.

moto accepts nearly anything and never starts a service's tasks (see the reference note
emulators.md): the requests are validated against botocore's model elsewhere, tasks and log lines
are seeded here the way ECS would create them, and steps after the first deployment use
--no-wait, because moto keeps a service's first deployment forever (an update never starts a new
one), which the steady-state wait rightly reads as a rollback. The wait itself is tested against
the in-memory gateway and botocore's Stubber.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

import boto3

from compose2ecs.apply import ApplyOptions, apply_plan
from compose2ecs.aws import AwsSettings, BotoGateway
from compose2ecs.load import ProjectOptions
from compose2ecs.workflow import ConvertOptions, convert, plan
from tests.cli._helpers import Result, run
from tests.fakes import RecordingProgress
from tests.moto_server import REGION, writes

if TYPE_CHECKING:
    import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fargate-tutorial"
PROJECT = "tutorial"
ROLE = "ecsTaskExecutionRole"


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> Result:
    return run(capsys, *argv, "-p", PROJECT)


def _hand_made_role() -> None:
    """What the tutorial does with the AWS CLI before ecs-cli: a role compose2ecs did not create."""
    iam = boto3.client("iam")
    trust = json.loads((EXAMPLE / "task-execution-assume-role.json").read_text())
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))


def _seed_task(revision: int) -> str:
    """Start a task the way the ECS service would (moto never does it for services)."""
    ecs = boto3.client("ecs")
    ec2 = boto3.client("ec2")
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    groups = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [PROJECT]}])
    group = groups["SecurityGroups"][0]["GroupId"]
    task = ecs.run_task(
        cluster="default",
        taskDefinition=f"{PROJECT}:{revision}",
        launchType="FARGATE",
        group=f"service:{PROJECT}",
        startedBy="ecs-svc/1234567890",
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": [subnet],
                "securityGroups": [group],
                "assignPublicIp": "ENABLED",
            }
        },
    )["tasks"][0]
    return str(task["taskArn"]).rsplit("/", 1)[-1]


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


def test_tutorial_lifecycle(
    moto: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "tutorial"
    shutil.copytree(EXAMPLE, project)
    # moto's RunTask (used below to stand in for the service's scheduler) fails without a reservation.
    compose = project / "docker-compose.yml"
    compose.write_text(compose.read_text() + "    mem_reservation: 128m\n")
    monkeypatch.chdir(project)
    for name in (
        "COMPOSE_FILE",
        "COMPOSE_PROFILES",
        "COMPOSE_PROJECT_NAME",
        "COMPOSE2ECS_CLUSTER",
        "GREETING",
    ):
        monkeypatch.delenv(name, raising=False)
    _hand_made_role()

    # Nothing deployed yet: diff lists everything to create and exits 1.
    result = _cli(capsys, "diff")
    assert result.code == 1, result.err
    assert "create service tutorial" in result.out

    # up creates it all and waits for a steady service.
    result = _cli(capsys, "up", "--timeout", "60")
    assert result.code == 0, result.err
    assert "tutorial is deployed and steady" in result.out
    ecs = boto3.client("ecs")
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

    # A change shows field by field, and up registers revision 2.
    monkeypatch.setenv("GREETING", "hello again")
    result = _cli(capsys, "diff")
    assert result.code == 1
    assert "containerDefinitions[web].environment[GREETING]" in result.out
    assert '"hello again"' in result.out
    result = _cli(capsys, "up", "--no-wait")
    assert result.code == 0, result.err
    assert ecs.describe_task_definition(taskDefinition=PROJECT)["taskDefinition"]["revision"] == 2
    service = ecs.describe_services(cluster="default", services=[PROJECT])["services"][0]
    assert service["taskDefinition"].endswith(f"{PROJECT}:2")

    # ps: one row per container of the service's tasks.
    task_id = _seed_task(2)
    result = _cli(capsys, "ps")
    assert result.code == 0, result.err
    assert task_id in result.out
    assert "web" in result.out
    assert f"{PROJECT}:2" in result.out

    # logs: CloudWatch lines prefixed by container and task.
    logs = boto3.client("logs")
    stream = f"web/web/{task_id}"
    logs.create_log_stream(logGroupName=f"/ecs/{PROJECT}", logStreamName=stream)
    logs.put_log_events(
        logGroupName=f"/ecs/{PROJECT}",
        logStreamName=stream,
        logEvents=[{"timestamp": int(time.time() * 1000), "message": "GET / 200"}],
    )
    result = _cli(capsys, "logs", "web")
    assert result.code == 0, result.err
    assert f"web-{task_id[:12]} | GET / 200" in result.out

    # scale to two tasks.
    result = _cli(capsys, "scale", "2", "--no-wait")
    assert result.code == 0, result.err
    assert ecs.describe_services(cluster="default", services=[PROJECT])["services"][0]["desiredCount"] == 2

    # down removes the service; down --all the rest compose2ecs created, but not the hand-made role.
    result = _cli(capsys, "down")
    assert result.code == 0, result.err
    services = ecs.describe_services(cluster="default", services=[PROJECT])["services"]
    assert [s["status"] for s in services] == ["INACTIVE"]
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
