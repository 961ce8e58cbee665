"""Named volumes on the project's own EFS file system, end to end on the emulator (ECS, EFS, EC2, IAM)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import boto3

from tests.e2e._helpers import project, unique
from tests.e2e.test_cli_grammar import compose2ecs
from tests.emulator import writes

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from tests.emulator import Emulator

COMPOSE = (
    "services:\n  db:\n    image: postgres:16\n    volumes: ['db-data:/var/lib/postgresql/data']\n"
    "volumes:\n  db-data: {}\n"
)
PARAMS = "version: 1\ntask_definition:\n  volumes:\n    db-data: {uid: 999, gid: 999}\n"


def _file_system(token: str) -> dict[str, object] | None:
    found = boto3.client("efs").describe_file_systems(CreationToken=token)["FileSystems"]
    return dict(found[0]) if found else None


def test_a_named_volume_lives_on_efs_that_down_all_keeps_and_down_volumes_deletes(
    emulator: Emulator, aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": COMPOSE, "ecs-params.yml": PARAMS})
    name, cluster = unique("ev"), unique("ev")
    before = ("-p", name, "--cluster", cluster)
    token = f"compose2ecs/{name}/{cluster}/us-east-1"

    up = compose2ecs(*before, "up", cwd=root)

    assert up.returncode == 0, up.stdout + up.stderr
    file_system = _file_system(token)
    assert file_system is not None
    assert file_system["Encrypted"] is True
    efs = boto3.client("efs")
    fs_id = str(file_system["FileSystemId"])
    [point] = efs.describe_access_points(FileSystemId=fs_id)["AccessPoints"]
    assert point["RootDirectory"]["Path"] == "/db-data"
    assert point["PosixUser"] == {"Uid": 999, "Gid": 999}
    targets = efs.describe_mount_targets(FileSystemId=fs_id)["MountTargets"]
    zones = {t["AvailabilityZoneName"] for t in targets}
    assert len(zones) == len(targets) >= 2  # one per zone of the default VPC
    ecs = boto3.client("ecs")
    [service] = ecs.describe_services(cluster=cluster, services=[name])["services"]
    assert service["deploymentConfiguration"]["minimumHealthyPercent"] == 0
    definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    [volume] = definition["volumes"]
    assert volume["efsVolumeConfiguration"] == {
        "rootDirectory": "/",  # ECS's answer when none is given
        "fileSystemId": fs_id,
        "transitEncryption": "ENABLED",
        "authorizationConfig": {"accessPointId": point["AccessPointId"], "iam": "ENABLED"},
    }
    # The task role may mount exactly that access point.
    role = definition["taskRoleArn"].rsplit("/", 1)[-1]
    iam = boto3.client("iam")
    [policy_name] = iam.list_role_policies(RoleName=role)["PolicyNames"]
    raw: object = iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]
    document: dict[str, Any] = json.loads(raw) if isinstance(raw, str) else dict(raw)  # type: ignore[call-overload]
    [statement] = document["Statement"]
    assert statement["Resource"] == file_system["FileSystemArn"]
    condition = statement["Condition"]["StringEquals"]
    assert condition["elasticfilesystem:AccessPointArn"] == [point["AccessPointArn"]]
    # The tasks' security group admits NFS from itself, where the mount targets are.
    ec2 = boto3.client("ec2")
    [group] = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [f"{name}.{cluster}"]}])[
        "SecurityGroups"
    ]
    nfs = [p for p in group["IpPermissions"] if p.get("FromPort") == 2049]
    assert nfs
    assert nfs[0]["UserIdGroupPairs"][0]["GroupId"] == group["GroupId"]

    emulator.calls(clear=True)
    again = compose2ecs(*before, "up", cwd=root)
    assert again.returncode == 0, again.stdout + again.stderr
    assert writes(emulator.calls()) == []

    down = compose2ecs(*before, "down", "--all", cwd=root)
    assert down.returncode == 0, down.stdout + down.stderr
    assert "kept file system" in down.stdout + down.stderr
    assert _file_system(token) is not None
    assert efs.describe_mount_targets(FileSystemId=fs_id)["MountTargets"] == []
    assert (
        ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [f"{name}.{cluster}"]}])[
            "SecurityGroups"
        ]
        == []
    )

    # Back up: the data's file system is found again, and gets its mount targets back.
    assert compose2ecs(*before, "up", cwd=root).returncode == 0
    assert efs.describe_mount_targets(FileSystemId=fs_id)["MountTargets"]
    gone = compose2ecs(*before, "down", "--all", "--volumes", cwd=root)
    assert gone.returncode == 0, gone.stdout + gone.stderr
    assert "db-data" in gone.stdout + gone.stderr
    assert _file_system(token) is None


def test_in_a_network_of_the_users_the_volume_is_kept_in_its_subnets(
    emulator: Emulator, aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ec2 = boto3.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = sorted(
        s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    )[:2]
    group = ec2.create_security_group(GroupName=unique("app"), Description="the app's", VpcId=vpc)["GroupId"]
    params = (
        PARAMS
        + "run_params:\n  network_configuration:\n    awsvpc_configuration:\n"
        + f"      subnets: [{', '.join(subnets)}]\n      security_groups: [{group}]\n"
    )
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": COMPOSE, "ecs-params.yml": params})
    name, cluster = unique("eu"), unique("eu")
    before = ("-p", name, "--cluster", cluster)

    up = compose2ecs(*before, "up", cwd=root)

    assert up.returncode == 0, up.stdout + up.stderr
    file_system = _file_system(f"compose2ecs/{name}/{cluster}/us-east-1")
    assert file_system is not None
    targets = boto3.client("efs").describe_mount_targets(FileSystemId=str(file_system["FileSystemId"]))[
        "MountTargets"
    ]
    assert {t["SubnetId"] for t in targets} <= set(subnets)
    [service] = boto3.client("ecs").describe_services(cluster=cluster, services=[name])["services"]
    groups = service["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"]
    assert group in groups
    assert len(groups) == 2
    emulator.calls(clear=True)
    assert compose2ecs(*before, "up", cwd=root).returncode == 0
    assert writes(emulator.calls()) == []
    gone = compose2ecs(*before, "down", "--all", "--volumes", cwd=root)
    assert gone.returncode == 0, gone.stdout + gone.stderr
    assert _file_system(f"compose2ecs/{name}/{cluster}/us-east-1") is None
    assert ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"]  # the user's stays
