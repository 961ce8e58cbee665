"""Safe in a shared account (issue 10), through the CLI against the emulator over HTTP.

Each test uses a cluster of its own, so the session's account can hold other projects' resources,
as a real shared account does.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from tests.cli._helpers import assert_single_error, run
from tests.e2e._helpers import WEB, unique
from tests.e2e._helpers import project as _project
from tests.emulator import writes

if TYPE_CHECKING:
    from pathlib import Path

    from tests.emulator import Emulator

SPOT = (
    "version: 1\n"
    "run_params:\n"
    "  capacity_provider_strategy:\n"
    "    - capacity_provider: FARGATE_SPOT\n"
    "      weight: 1\n"
)


def test_a_fargate_spot_strategy_runs_on_a_cluster_compose2ecs_creates(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path, monkeypatch, {**WEB, "ecs-params.yml": SPOT})
    cluster, name = unique("spot"), unique("spot")

    result = run(capsys, "up", "-p", name, "--cluster", cluster, "--timeout", "60")

    assert result.code == 0, result.out + result.err
    described = boto3.client("ecs").describe_clusters(clusters=[cluster])["clusters"][0]
    assert sorted(described["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]
    service = boto3.client("ecs").describe_services(cluster=cluster, services=[name])["services"][0]
    assert [p["capacityProvider"] for p in service["capacityProviderStrategy"]] == ["FARGATE_SPOT"]
    assert run(capsys, "diff", "-p", name, "--cluster", cluster).code == 0
    assert run(capsys, "down", "--all", "-p", name, "--cluster", cluster).code == 0


def test_a_provider_the_existing_cluster_lacks_is_refused_before_any_write(
    emulator: Emulator,
    aws_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _project(tmp_path, monkeypatch, {**WEB, "ecs-params.yml": SPOT})
    cluster, name = unique("handmade"), unique("spot")
    boto3.client("ecs").create_cluster(clusterName=cluster)  # someone else's, without providers
    emulator.calls(clear=True)

    for command in ("diff", "up"):
        result = run(capsys, command, "-p", name, "--cluster", cluster)
        error = assert_single_error(result, "ecs-params.yml", 4, "FARGATE_SPOT", cluster)
        assert "capacity_provider_strategy[0].capacity_provider" in error

    assert writes(emulator.calls()) == []


SETTINGS = (
    "version: 1\n"
    "run_params:\n"
    "  enable_execute_command: true\n"
    "  deployment:\n"
    "    maximum_percent: 150\n"
    "    minimum_healthy_percent: 50\n"
    "  capacity_provider_strategy:\n"
    "    - capacity_provider: FARGATE_SPOT\n"
    "      weight: 1\n"
)
CONNECTED: dict[str, str | bytes] = {
    "docker-compose.yml": (
        "services:\n"
        "  api:\n    image: nginx:1.27\n    expose:\n      - '8080'\n"
        "  web:\n    image: nginx:1.27\n    ports:\n      - '80:80'\n"
    ),
}


def test_removed_settings_are_reset_on_aws_and_then_read_in_sync(
    emulator: Emulator,
    aws_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = _project(tmp_path, monkeypatch, {**CONNECTED, "ecs-params.yml": SETTINGS})
    cluster, name = unique("converge"), unique("conv")
    argv = ("-p", name, "--cluster", cluster, "--layout", "service")
    assert run(capsys, "up", *argv, "--timeout", "60").code == 0

    (root / "ecs-params.yml").write_text("version: 1\nrun_params:\n  service_connect: false\n")
    result = run(capsys, "diff", *argv)
    assert result.code == 1
    for removed in ("capacityProviderStrategy", "enableExecuteCommand", "deploymentConfiguration"):
        assert removed in result.out, result.out
    assert "serviceConnectConfiguration" in result.out

    result = run(capsys, "up", *argv, "--timeout", "60")
    assert result.code == 0, result.out + result.err

    services = boto3.client("ecs").describe_services(cluster=cluster, services=[f"{name}-web"])["services"]
    [web] = services
    assert "capacityProviderStrategy" not in web
    assert web["launchType"] == "FARGATE"
    assert web["enableExecuteCommand"] is False
    assert web["deploymentConfiguration"]["maximumPercent"] == 200
    assert web["deployments"][0]["serviceConnectConfiguration"] == {"enabled": False}
    result = run(capsys, "diff", *argv)
    assert result.code == 0, result.out
    emulator.calls(clear=True)
    assert run(capsys, "up", *argv).code == 0
    assert writes(emulator.calls()) == []
    assert run(capsys, "down", "--all", *argv).code == 0


def test_a_target_group_attached_by_hand_is_left_alone(
    emulator: Emulator,
    aws_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _project(tmp_path, monkeypatch, WEB)
    cluster, name = unique("byhand"), unique("byhand")
    argv = ("-p", name, "--cluster", cluster)
    assert run(capsys, "up", *argv, "--timeout", "60").code == 0
    target_group = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/hand/0123456789abcdef"
    ecs = boto3.client("ecs")
    own = ecs.describe_services(cluster=cluster, services=[name])["services"][0]["loadBalancers"]
    assert len(own) == 1  # compose2ecs's, for the published port (issue 12)
    hand = {"targetGroupArn": target_group, "containerName": "web", "containerPort": 80}
    attached: list[Any] = [*own, hand]
    ecs.update_service(cluster=cluster, service=name, loadBalancers=attached)

    assert run(capsys, "diff", *argv).code == 0
    emulator.calls(clear=True)
    assert run(capsys, "up", *argv, "--timeout", "60").code == 0

    assert writes(emulator.calls()) == []
    service = boto3.client("ecs").describe_services(cluster=cluster, services=[name])["services"][0]
    assert service["loadBalancers"] == attached
    assert run(capsys, "down", "--all", *argv).code == 0


CRASHING: dict[str, str | bytes] = {
    "docker-compose.yml": "services:\n  web:\n    image: nginx:exit-1\n    ports:\n      - '80:80'\n",
    # The breaker stops the failing deployment but has nothing to roll back to.
    "ecs-params.yml": (
        "version: 1\nrun_params:\n  deployment:\n    circuit_breaker: true\n    rollback: false\n"
    ),
}


def test_an_in_sync_service_that_is_not_steady_makes_up_fail(
    emulator: Emulator,
    aws_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _project(tmp_path, monkeypatch, CRASHING)
    cluster, name = unique("crash"), unique("crash")
    argv = ("-p", name, "--cluster", cluster)
    assert run(capsys, "up", *argv, "--no-wait").code == 0
    ecs = boto3.client("ecs")

    def failed() -> bool:
        primary = ecs.describe_services(cluster=cluster, services=[name])["services"][0]["deployments"][0]
        return primary["rolloutState"] == "FAILED"

    deadline = time.monotonic() + 30
    while not failed() and time.monotonic() < deadline:
        time.sleep(0.2)

    # Nothing to change, but the deployment failed: diff says so, and up does not call it a success.
    result = run(capsys, "diff", *argv)
    assert result.code == 0, result.out
    assert f"service {name} is not steady: rollout FAILED (ECS deployment circuit breaker" in result.out
    emulator.calls(clear=True)
    result = run(capsys, "up", *argv, "--timeout", "30")
    assert result.code == 3, result.out + result.err
    assert "in sync: nothing to do" not in result.out
    assert "failed: ECS deployment circuit breaker: tasks failed to start." in result.err
    assert "Essential container in task exited" in result.err
    assert writes(emulator.calls()) == []
    assert run(capsys, "down", "--all", *argv).code == 0


def _role_policies(role: str) -> tuple[list[str], list[str]]:
    iam = boto3.client("iam")
    attached = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]]
    return sorted(attached), sorted(iam.list_role_policies(RoleName=role)["PolicyNames"])


def _uses_role(role: str) -> dict[str, str | bytes]:
    return {**WEB, "ecs-params.yml": f"version: 1\ntask_definition:\n  task_execution_role: {role}\n"}


def test_a_hand_made_role_shared_by_two_projects_keeps_exactly_its_policies(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    role = unique("ecsTaskExecutionRole")
    iam = boto3.client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            },
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"},
        ],
    }
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
    s3 = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    iam.attach_role_policy(RoleName=role, PolicyArn=s3)
    secrets = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}],
    }
    iam.put_role_policy(RoleName=role, PolicyName="other-app-secrets", PolicyDocument=json.dumps(secrets))
    cluster = unique("shared")
    first, second = unique("first"), unique("second")
    _project(tmp_path / "a", monkeypatch, _uses_role(role))
    assert run(capsys, "up", "-p", first, "--cluster", cluster, "--timeout", "60").code == 0
    _project(tmp_path / "b", monkeypatch, _uses_role(role))
    result = run(capsys, "up", "-p", second, "--cluster", cluster, "--timeout", "60")
    assert result.code == 0, result.out + result.err
    assert "detached" not in result.out
    assert "deleted policy" not in result.out

    own = [f"compose2ecs-{name}-{cluster}-us-east-1" for name in (first, second)]
    assert _role_policies(role) == ([s3], sorted(["other-app-secrets", *own]))
    assert iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"] == trust
    assert run(capsys, "diff", "-p", second, "--cluster", cluster).code == 0

    assert run(capsys, "down", "--all", "-p", second, "--cluster", cluster).code == 0
    assert _role_policies(role) == ([s3], sorted(["other-app-secrets", own[0]]))
    monkeypatch.chdir(tmp_path / "a" / "app")
    assert run(capsys, "diff", "-p", first, "--cluster", cluster).code == 0
    assert run(capsys, "down", "--all", "-p", first, "--cluster", cluster).code == 0
    assert _role_policies(role) == ([s3], ["other-app-secrets"])
    assert iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"] == trust


def test_a_role_one_project_created_outlives_it_while_another_uses_it(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    role, cluster = unique("exec"), unique("shared")
    creator, user = unique("creator"), unique("user")
    _project(tmp_path / "a", monkeypatch, _uses_role(role))
    assert run(capsys, "up", "-p", creator, "--cluster", cluster, "--timeout", "60").code == 0
    _project(tmp_path / "b", monkeypatch, _uses_role(role))
    assert run(capsys, "up", "-p", user, "--cluster", cluster, "--timeout", "60").code == 0
    monkeypatch.chdir(tmp_path / "a" / "app")
    assert run(capsys, "diff", "-p", creator, "--cluster", cluster).code == 0  # the other's policy stays

    result = run(capsys, "down", "--all", "-p", creator, "--cluster", cluster)

    assert result.code == 0, result.err
    assert f"kept role {role}: 1 other deployment(s) still use it" in result.out
    assert _role_policies(role)[1] == [f"compose2ecs-{user}-{cluster}-us-east-1"]
    monkeypatch.chdir(tmp_path / "b" / "app")
    assert run(capsys, "diff", "-p", user, "--cluster", cluster).code == 0
    result = run(capsys, "down", "--all", "-p", user, "--cluster", cluster)

    # compose2ecs created it and its last user is gone: the last user removes it.
    assert result.code == 0, result.err
    assert f"deleted role {role}" in result.out
    with pytest.raises(boto3.client("iam").exceptions.NoSuchEntityException):
        boto3.client("iam").get_role(RoleName=role)


def _with_network(subnets: list[str], groups: list[str]) -> dict[str, str | bytes]:
    lines = [
        "version: 1",
        "run_params:",
        "  network_configuration:",
        "    awsvpc_configuration:",
        "      subnets:",
    ]
    lines += [f"        - {s}" for s in subnets]
    lines += ["      security_groups:"] + [f"        - {g}" for g in groups]
    return {**WEB, "ecs-params.yml": "\n".join(lines) + "\n"}


def test_placeholder_subnets_are_refused_with_file_and_line_before_any_write(
    emulator: Emulator,
    aws_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    group = boto3.client("ec2").describe_security_groups(GroupNames=["default"])["SecurityGroups"][0][
        "GroupId"
    ]
    _project(tmp_path, monkeypatch, _with_network(["SUBNET_1", "subnet-0123456789abcdef0"], [group]))
    name = unique("placeholder")
    emulator.calls(clear=True)

    for command in ("diff", "up"):
        result = run(capsys, command, "-p", name, "--cluster", unique("net"))
        assert result.code == 2, result.out + result.err
        assert len(result.errors) == 2, result.err  # every problem at once
        assert "ecs-params.yml:6" in result.errors[0]
        assert "subnet SUBNET_1 does not exist" in result.errors[0]
        assert "ecs-params.yml:7" in result.errors[1]
        assert "subnet-0123456789abcdef0" in result.errors[1]

    assert writes(emulator.calls()) == []


def test_subnets_and_security_groups_of_different_vpcs_are_refused(
    emulator: Emulator,
    aws_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ec2 = boto3.client("ec2")
    other_vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName=unique("other"), Description="other", VpcId=other_vpc)[
        "GroupId"
    ]
    subnet = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"][0]
    _project(tmp_path, monkeypatch, _with_network([subnet["SubnetId"]], [group]))
    emulator.calls(clear=True)

    result = run(capsys, "up", "-p", unique("vpcs"), "--cluster", unique("net"))

    error = assert_single_error(result, "ecs-params.yml", 4, "different VPCs", other_vpc, subnet["VpcId"])
    assert "run_params.network_configuration.awsvpc_configuration" in error
    assert writes(emulator.calls()) == []


def test_a_region_without_a_default_vpc_is_refused_before_any_write(
    emulator: Emulator,
    aws_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    region = "ap-southeast-2"  # a region no other test uses: its default VPC is deleted here
    ec2 = boto3.client("ec2", region_name=region)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    ec2.delete_vpc(VpcId=vpc)
    _project(tmp_path, monkeypatch, WEB)
    emulator.calls(clear=True)

    result = run(capsys, "up", "-p", unique("novpc"), "--region", region)

    assert result.code == 2, result.out + result.err
    assert "no default VPC" in result.err
    assert "ecs-params.yml" in result.err
    assert writes(emulator.calls()) == []


def test_secrets_parameters_and_roles_the_files_name_must_exist_before_any_write(
    emulator: Emulator,
    aws_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tag = unique("refs")
    secret = f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{tag}-AbCdEf"
    parameter, role = f"/{tag}/db-password", unique("task-role")
    role_arn = f"arn:aws:iam::123456789012:role/{role}"
    params = (
        "version: 1\n"
        "task_definition:\n"
        f"  task_role_arn: {role_arn}\n"
        "  services:\n"
        "    web:\n"
        "      secrets:\n"
        f"        - value_from: {parameter}\n"
        "          name: DB_PASSWORD\n"
        f"        - value_from: {secret}\n"
        "          name: API_KEY\n"
    )
    _project(tmp_path, monkeypatch, {**WEB, "ecs-params.yml": params})
    name, cluster = unique("refs"), unique("refs")
    emulator.calls(clear=True)

    for command in ("diff", "up"):
        result = run(capsys, command, "-p", name, "--cluster", cluster)
        assert result.code == 2, result.out + result.err
        assert len(result.errors) == 3, result.err  # every problem at once
        for line, what in ((7, parameter), (9, secret), (3, role_arn)):
            [error] = [e for e in result.errors if what in e]
            assert f"ecs-params.yml:{line}" in error
            assert "does not exist" in error

    assert writes(emulator.calls()) == []
    boto3.client("ssm").put_parameter(Name=parameter, Value="s3cr3t", Type="SecureString")
    created = boto3.client("secretsmanager").create_secret(Name=tag, SecretString="k3y")
    boto3.client("iam").create_role(RoleName=role, AssumeRolePolicyDocument="{}")
    params = params.replace(secret, created["ARN"])
    (tmp_path / "app" / "ecs-params.yml").write_text(params)
    result = run(capsys, "diff", "-p", name, "--cluster", cluster)
    assert result.code == 1, result.err  # found: only the deployment itself is missing
    assert "s3cr3t" not in result.out + result.err


def test_efs_file_systems_and_access_points_the_files_name_must_exist_before_any_write(
    emulator: Emulator,
    aws_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compose = (
        "services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - data:/usr/share/nginx/html\n"
        "volumes:\n  data: {}\n"
    )
    params = (
        "version: 1\n"
        "task_definition:\n"
        "  efs_volumes:\n"
        "    - name: data\n"
        "      filesystem_id: fs-0123456789abcdef0\n"
        "      access_point: fsap-0123456789abcdef0\n"
        "      transit_encryption: ENABLED\n"
    )
    root = _project(tmp_path, monkeypatch, {"docker-compose.yml": compose, "ecs-params.yml": params})
    name, cluster = unique("efs"), unique("efs")
    emulator.calls(clear=True)

    result = run(capsys, "up", "-p", name, "--cluster", cluster)

    assert result.code == 2, result.out + result.err
    assert len(result.errors) == 2, result.err  # both at once
    for line, what in (
        (5, "EFS file system fs-0123456789abcdef0"),
        (6, "EFS access point fsap-0123456789abcdef0"),
    ):
        [error] = [e for e in result.errors if what in e]
        assert f"ecs-params.yml:{line}" in error
        assert "does not exist" in error
    assert writes(emulator.calls()) == []
    efs = boto3.client("efs")
    system = efs.create_file_system(CreationToken=name)["FileSystemId"]
    point = efs.create_access_point(ClientToken=name, FileSystemId=system)["AccessPointId"]
    (root / "ecs-params.yml").write_text(
        params.replace("fs-0123456789abcdef0", system).replace("fsap-0123456789abcdef0", point)
    )
    assert (
        run(capsys, "diff", "-p", name, "--cluster", cluster).code == 1
    )  # found: only the deployment is missing
