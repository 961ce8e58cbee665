"""Named volumes on the project's own EFS file system (issue 13, item 1): translate, plan, apply, down."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from compose2ecs.apply import ApplyOptions, down
from compose2ecs.errors import InputError
from compose2ecs.load.ecs_params import parse_ecs_params
from compose2ecs.model import AwsvpcParams, EcsParams, VolumeParams
from compose2ecs.model.deployed import Action, ResourceKind
from tests.fakes import CLUSTER, FakeClock, InMemoryGateway, RecordingProgress
from tests.unit.test_apply import up
from tests.unit.test_load_balancing import _desired, _kinds

if TYPE_CHECKING:
    from pathlib import Path

    from compose2ecs.model import DesiredState

DB = (
    "services:\n  db:\n    image: postgres:16\n{user}    volumes: ['data:/var/lib/postgresql/data']\n"
    "volumes:\n  data: {{}}\n"
)


def _db(tmp_path: Path, params: EcsParams | None = None, user: str = "") -> DesiredState:
    return _desired(
        tmp_path, DB.format(user=f"    user: '{user}'\n" if user else ""), params, layout="project"
    )


def _codes(desired: DesiredState) -> dict[str, str]:
    return {p.code: p.message for p in desired.problems}


def _down(gateway: InMemoryGateway, desired: DesiredState, *, volumes: bool) -> RecordingProgress:
    clock, progress = FakeClock(), RecordingProgress()
    down(
        desired,
        gateway.read_state(desired, CLUSTER),
        gateway,
        ApplyOptions(CLUSTER),
        progress,
        remove_all=True,
        volumes=volumes,
        clock=clock,
        sleep=clock.sleep,
    )
    return progress


# ---------------------------------------------------------------------------------------------
# Translate.


def test_a_named_volume_goes_on_the_projects_encrypted_file_system_by_default(tmp_path: Path) -> None:
    desired = _db(tmp_path)

    assert desired.file_system is not None
    [point] = desired.file_system.access_points
    assert (point.volume, point.path, point.uid) == ("data", "/data", None)
    [volume] = desired.task_definitions[0]["volumes"]
    assert volume["efsVolumeConfiguration"]["transitEncryption"] == "ENABLED"
    assert volume["efsVolumeConfiguration"]["authorizationConfig"]["iam"] == "ENABLED"
    assert "efs-volume" in _codes(desired)
    assert "ephemeral-volume" not in _codes(desired)
    # NFS from the tasks' own group, where the mount targets sit.
    assert any(rule.port == 2049 and rule.source == "self" for rule in desired.ingress)


def test_the_task_role_may_mount_only_the_projects_access_points(tmp_path: Path) -> None:
    desired = _db(tmp_path)

    role = next(r for r in desired.roles if r.name.endswith("-ecsTaskRole"))
    assert desired.task_definitions[0]["taskRoleArn"] == role.name
    [statement] = next(iter(role.inline_policies.values()))["Statement"]
    # The owner is unknown: root in the container keeps root access, as with a Docker volume.
    assert "elasticfilesystem:ClientRootAccess" in statement["Action"]
    assert statement["Condition"]["StringEquals"]["elasticfilesystem:AccessPointArn"] == [
        "{{access-point-arn:data}}"
    ]
    assert role.managed_policy_arns == ()


def test_a_known_owner_makes_every_access_act_as_it_and_drops_root_access(tmp_path: Path) -> None:
    from_user = _db(tmp_path, user="1000:1001")
    from_params = _db(
        tmp_path, EcsParams(volumes={"data": VolumeParams(uid=999, gid=999, permissions="0700")})
    )

    assert from_user.file_system is not None
    assert from_params.file_system is not None
    assert from_user.file_system.access_points[0].request("fs-1", {})["PosixUser"] == {
        "Uid": 1000,
        "Gid": 1001,
    }
    request = from_params.file_system.access_points[0].request("fs-1", {})
    assert request["RootDirectory"]["CreationInfo"] == {
        "OwnerUid": 999,
        "OwnerGid": 999,
        "Permissions": "0700",
    }
    role = next(r for r in from_params.roles if r.name.endswith("-ecsTaskRole"))
    [statement] = next(iter(role.inline_policies.values()))["Statement"]
    assert "elasticfilesystem:ClientRootAccess" not in statement["Action"]


def test_storage_task_keeps_the_volume_in_task_storage_and_says_its_data_is_lost(tmp_path: Path) -> None:
    desired = _db(tmp_path, EcsParams(volumes={"data": VolumeParams(storage="task")}))

    assert desired.file_system is None
    assert desired.task_definitions[0]["volumes"] == [{"name": "data"}]
    assert "lost at every deployment" in _codes(desired)["ephemeral-volume"]
    assert not any(r.name.endswith("-ecsTaskRole") for r in desired.roles)


def test_a_users_task_role_is_not_changed_but_told_what_it_needs(tmp_path: Path) -> None:
    desired = _db(tmp_path, EcsParams(task_role_arn="arn:aws:iam::123456789012:role/mine"))

    assert "elasticfilesystem:ClientMount" in _codes(desired)["efs-task-role"]
    assert not any(r.name.endswith("-ecsTaskRole") for r in desired.roles)


def test_a_network_of_the_users_without_security_groups_is_refused_with_the_ways_out(tmp_path: Path) -> None:
    params = EcsParams(awsvpc=AwsvpcParams(subnets=("subnet-1",)))
    problem = next(p for p in _db(tmp_path, params).problems if p.code == "efs-in-user-network")

    assert problem.severity == "error"
    assert "security_groups" in problem.hint
    assert "efs_volumes" in problem.hint
    assert "storage: task" in problem.hint


def test_in_a_network_of_the_users_the_mount_targets_sit_in_its_subnets_and_the_project_group(
    tmp_path: Path,
) -> None:
    params = EcsParams(
        awsvpc=AwsvpcParams(subnets=("subnet-a1", "subnet-a2", "subnet-b1"), security_groups=("sg-user",))
    )
    gateway = InMemoryGateway()
    gateway.subnets = {"subnet-a1": "vpc-user", "subnet-a2": "vpc-user", "subnet-b1": "vpc-user"}
    gateway.subnet_zones = {"subnet-a1": "us-east-1a", "subnet-a2": "us-east-1a", "subnet-b1": "us-east-1b"}
    desired = _db(tmp_path, params)

    up(gateway, desired)

    [entry] = gateway.file_systems.values()
    assert sorted(t["SubnetId"] for t in entry["MountTargets"]) == ["subnet-a1", "subnet-b1"]
    project_group = next(
        g for g in gateway.security_groups.values() if g.get("GroupName") == desired.security_group_name
    )
    assert {tuple(t["SecurityGroups"]) for t in entry["MountTargets"]} == {(project_group["GroupId"],)}
    [service] = [s for s in gateway.services.values() if s.data["status"] == "ACTIVE"]
    groups = service.data["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"]
    assert sorted(groups) == sorted(["sg-user", project_group["GroupId"]])
    assert all(
        a is Action.NO_CHANGE for acts in _kinds(gateway, _db(tmp_path, params)).values() for a in acts
    )


def test_ecs_params_volume_choices_are_checked_with_every_problem_at_once() -> None:
    text = (
        "version: 1\ntask_definition:\n  volumes:\n    data:\n      storage: disk\n      uid: -1\n"
        "      permissions: '999'\n    other: {gid: 5000000000}\n"
    )
    with pytest.raises(InputError) as caught:
        parse_ecs_params(text, "ecs-params.yml", {})

    messages = "\n".join(str(p) for p in caught.value.problems)
    assert len(caught.value.problems) == 4
    assert "storage" in messages
    assert "permissions" in messages
    assert "uid" in messages
    assert "gid" in messages


def test_ecs_params_volume_choices_parse() -> None:
    text = (
        "version: 1\ntask_definition:\n  volumes:\n    data: {storage: task}\n"
        "    db: {uid: 999, permissions: '0750'}\n"
    )
    params = parse_ecs_params(text, "ecs-params.yml", {})

    assert params.volumes["data"].storage == "task"
    assert (params.volumes["db"].storage, params.volumes["db"].uid, params.volumes["db"].permissions) == (
        "efs",
        999,
        "0750",
    )


# ---------------------------------------------------------------------------------------------
# Plan, apply, down (in-memory account).


def test_up_creates_the_file_system_first_and_the_task_definition_names_its_ids(tmp_path: Path) -> None:
    gateway, desired = InMemoryGateway(), _db(tmp_path)

    up(gateway, desired)

    [entry] = gateway.file_systems.values()
    operations = gateway.operations()
    assert operations.index("create_file_system") < operations.index("create_role")
    assert operations.index("create_security_group") < operations.index("create_mount_target")
    assert operations.index("create_mount_target") < operations.index("create_service")
    assert len(entry["MountTargets"]) == len(gateway.default_zones)
    [point] = entry["AccessPoints"]
    registered = gateway.task_definitions[desired.task_definitions[0]["family"]][-1]
    config = registered["volumes"][0]["efsVolumeConfiguration"]
    assert config["fileSystemId"] == entry["FileSystemId"]
    assert config["authorizationConfig"]["accessPointId"] == point["AccessPointId"]
    policy: dict[str, Any] = next(
        iter(gateway.roles[desired.task_definitions[0]["taskRoleArn"]].inline.values())
    )
    assert policy["Statement"][0]["Resource"] == entry["FileSystemArn"]


def test_a_second_up_plans_no_change_for_the_file_system_and_what_names_it(tmp_path: Path) -> None:
    gateway, desired = InMemoryGateway(), _db(tmp_path)
    up(gateway, desired)

    kinds = _kinds(gateway, _db(tmp_path))

    assert all(action is Action.NO_CHANGE for actions in kinds.values() for action in actions), kinds
    assert kinds[ResourceKind.MOUNT_TARGET] == [Action.NO_CHANGE] * len(gateway.default_zones)


def test_an_interrupted_up_converges_without_a_second_file_system(tmp_path: Path) -> None:
    gateway, desired = InMemoryGateway(), _db(tmp_path)
    gateway.fail_on("create_mount_target")
    with pytest.raises(Exception, match="injected"):
        up(gateway, desired)

    up(gateway, _db(tmp_path))

    [entry] = gateway.file_systems.values()
    assert len(entry["AccessPoints"]) == 1
    assert len(entry["MountTargets"]) == len(gateway.default_zones)


def test_a_changed_owner_replaces_the_access_point_after_the_services_move(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    up(gateway, _db(tmp_path))
    [old] = next(iter(gateway.file_systems.values()))["AccessPoints"]

    up(gateway, _db(tmp_path, user="70:70"))

    [new] = next(iter(gateway.file_systems.values()))["AccessPoints"]
    assert new["AccessPointId"] != old["AccessPointId"]
    assert new["PosixUser"] == {"Uid": 70, "Gid": 70}
    operations = gateway.operations()
    assert operations.index("update_service") < operations.index("delete_access_point")


def test_down_all_keeps_the_data_and_down_volumes_deletes_it(tmp_path: Path) -> None:
    gateway, desired = InMemoryGateway(), _db(tmp_path)
    up(gateway, desired)

    kept = _down(gateway, desired, volumes=False)

    [entry] = gateway.file_systems.values()
    assert entry["MountTargets"] == []  # they sat in the deleted security group
    assert len(entry["AccessPoints"]) == 1
    assert any("kept file system" in step and "data" in step for step in kept.steps)
    assert not gateway.security_groups

    up(gateway, _db(tmp_path))
    assert next(iter(gateway.file_systems.values()))["FileSystemId"] == entry["FileSystemId"]
    _down(gateway, _db(tmp_path), volumes=True)

    assert gateway.file_systems == {}
    assert "delete_file_system" in gateway.operations()


def test_down_volumes_finds_the_file_system_when_the_files_no_longer_name_it(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    up(gateway, _db(tmp_path))
    without = _db(tmp_path, EcsParams(volumes={"data": VolumeParams(storage="task")}))

    _down(gateway, without, volumes=True)

    assert gateway.file_systems == {}


def test_one_mount_target_per_zone_even_when_a_zone_has_two_subnets(tmp_path: Path) -> None:
    gateway = InMemoryGateway(vpc=("vpc-0default", ["subnet-1", "subnet-2", "subnet-3"]))
    gateway.default_zones = {"subnet-1": "us-east-1a", "subnet-2": "us-east-1a", "subnet-3": "us-east-1b"}

    up(gateway, _db(tmp_path))

    [entry] = gateway.file_systems.values()
    assert sorted(t["SubnetId"] for t in entry["MountTargets"]) == ["subnet-1", "subnet-3"]


def test_a_volume_whose_directory_would_exceed_efss_path_limit_gets_a_shorter_one(tmp_path: Path) -> None:
    long = "v" * 100
    compose = (
        f"services:\n  db:\n    image: postgres:16\n    volumes: ['{long}:/data']\nvolumes:\n  {long}: {{}}\n"
    )

    desired = _desired(tmp_path, compose, layout="project")

    assert desired.file_system is not None
    [point] = desired.file_system.access_points
    assert len(point.path) == 100
    assert point.path.startswith("/vvvv")
    other = _desired(tmp_path, compose.replace(long, long + "w"), layout="project").file_system
    assert other is not None
    assert other.access_points[0].path != point.path  # the digest keeps them apart


def test_a_bind_mounted_path_becomes_a_valid_distinct_volume_name() -> None:
    from compose2ecs.translate.container import bind_volume_name  # noqa: PLC0415

    assert bind_volume_name("/p/data", "/p") == "data"
    nested, flat = bind_volume_name("/p/data/db", "/p"), bind_volume_name("/p/data-db", "/p")
    assert nested != flat
    assert nested.startswith("data-db-")
    hidden = bind_volume_name("/p/.cache", "/p")
    assert hidden[0].isalnum()
    assert set(hidden) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")


def test_an_owner_with_uid_or_gid_0_keeps_root_access(tmp_path: Path) -> None:
    desired = _db(tmp_path, user="1000:0")

    role = next(r for r in desired.roles if r.name.endswith("-ecsTaskRole"))
    [statement] = next(iter(role.inline_policies.values()))["Statement"]
    assert "elasticfilesystem:ClientRootAccess" in statement["Action"]


def test_after_an_interrupted_replacement_the_access_point_the_files_describe_is_named(
    tmp_path: Path,
) -> None:
    gateway = InMemoryGateway()
    up(gateway, _db(tmp_path))
    entry = next(iter(gateway.file_systems.values()))
    [old] = entry["AccessPoints"]
    gateway.fail_on("update_service")  # the new access point exists; the old one is still there
    with pytest.raises(Exception, match="injected"):
        up(gateway, _db(tmp_path, user="70:70"))
    entry["AccessPoints"].reverse()  # AWS lists them in any order

    up(gateway, _db(tmp_path, user="70:70"))

    [kept] = entry["AccessPoints"]
    assert kept["AccessPointId"] != old["AccessPointId"]
    registered = gateway.task_definitions[_db(tmp_path).task_definitions[0]["family"]][-1]
    assert (
        registered["volumes"][0]["efsVolumeConfiguration"]["authorizationConfig"]["accessPointId"]
        == kept["AccessPointId"]
    )
    assert all(
        a is Action.NO_CHANGE for acts in _kinds(gateway, _db(tmp_path, user="70:70")).values() for a in acts
    )


def test_a_file_system_still_being_created_is_waited_for(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    up(gateway, _db(tmp_path))
    next(iter(gateway.file_systems.values()))["LifeCycleState"] = "creating"

    assert _kinds(gateway, _db(tmp_path))[ResourceKind.FILE_SYSTEM] == [Action.UPDATE]
    up(gateway, _db(tmp_path))
    assert "wait_for_file_system" in [call[0] for call in gateway.calls]


def test_down_all_by_an_identity_without_efs_ssm_or_secrets_rights_still_removes_the_rest(
    tmp_path: Path,
) -> None:
    from compose2ecs.errors import AwsError  # noqa: PLC0415

    gateway, desired = (
        InMemoryGateway(),
        _desired(tmp_path, "services:\n  web:\n    image: nginx\n", layout="project"),
    )
    up(gateway, desired)
    denied = AwsError("x", "not allowed", code="AccessDeniedException")
    for operation in ("read_file_system", "list_parameters", "list_secrets"):
        gateway.fail_on(operation, error=denied)

    _down(gateway, desired, volumes=True)

    assert not gateway.services or all(s.data["status"] != "ACTIVE" for s in gateway.services.values())


def test_down_all_removes_the_task_role_an_earlier_up_made_for_volumes_the_files_dropped(
    tmp_path: Path,
) -> None:
    from compose2ecs.workflow import teardown_state  # noqa: PLC0415

    gateway = InMemoryGateway()
    up(gateway, _db(tmp_path))
    without = _db(tmp_path, EcsParams(volumes={"data": VolumeParams(storage="task")}))
    up(gateway, without)
    assert any(name.endswith("-ecsTaskRole") for name in gateway.roles)

    clock = FakeClock()
    down(
        without,
        teardown_state(without, gateway, CLUSTER, remove_all=True),
        gateway,
        ApplyOptions(CLUSTER),
        RecordingProgress(),
        remove_all=True,
        volumes=True,
        clock=clock,
        sleep=clock.sleep,
    )

    assert not any(name.endswith("-ecsTaskRole") for name in gateway.roles)
    assert gateway.file_systems == {}


def test_volumes_from_a_service_of_another_task_mounts_its_named_volumes_from_the_file_system(
    tmp_path: Path,
) -> None:
    compose = (
        "services:\n  db:\n    image: postgres:16\n    volumes: ['data:/var/lib/postgresql/data']\n"
        "  backup:\n    image: busybox\n    volumes_from: ['db:ro']\nvolumes:\n  data: {}\n"
    )
    desired = _desired(tmp_path, compose, layout="service")

    backup = next(td for td in desired.task_definitions if td["family"].endswith("-backup"))
    [container] = backup["containerDefinitions"]
    assert "volumesFrom" not in container
    assert container["mountPoints"] == [
        {"sourceVolume": "data", "containerPath": "/var/lib/postgresql/data", "readOnly": True}
    ]
    assert "efsVolumeConfiguration" in backup["volumes"][0]
    assert desired.file_system is not None
    assert [p.volume for p in desired.file_system.access_points] == ["data"]  # one, shared


def test_volumes_from_another_tasks_anonymous_volume_is_shared_on_efs_and_task_storage_is_refused(
    tmp_path: Path,
) -> None:
    compose = (
        "services:\n  db:\n    image: postgres:16\n    volumes: ['/var/lib/postgresql/data']\n"
        "  backup:\n    image: busybox\n    volumes_from: [db]\n"
    )
    shared = _desired(tmp_path, compose, layout="service")
    kept = (
        compose.replace("['/var/lib/postgresql/data']", "['data:/var/lib/postgresql/data']")
        + "volumes:\n  data: {}\n"
    )
    refused = _desired(
        tmp_path, kept, EcsParams(volumes={"data": VolumeParams(storage="task")}), layout="service"
    )

    assert "anonymous-volume-shared" in _codes(shared)
    assert shared.file_system is not None
    assert "stays with that task" in _codes(refused)["volumes-from"]


def test_when_the_volumes_go_in_a_network_of_the_users_the_mount_targets_go_before_the_group(
    tmp_path: Path,
) -> None:
    network = AwsvpcParams(subnets=("subnet-a1", "subnet-b1"), security_groups=("sg-user",))
    gateway = InMemoryGateway()
    gateway.subnets = {"subnet-a1": "vpc-user", "subnet-b1": "vpc-user"}
    gateway.subnet_zones = {"subnet-a1": "us-east-1a", "subnet-b1": "us-east-1b"}
    up(gateway, _db(tmp_path, EcsParams(awsvpc=network)))
    gateway.security_group_busy = 0

    without = EcsParams(awsvpc=network, volumes={"data": VolumeParams(storage="task")})
    up(gateway, _db(tmp_path, without))

    [entry] = gateway.file_systems.values()  # the data stays
    assert entry["MountTargets"] == []
    assert not gateway.security_groups
    operations = gateway.operations()
    assert operations.index("delete_mount_target") < operations.index("delete_security_group")


def test_volumes_pass_along_a_chain_of_volumes_from_whatever_the_order_of_the_services(
    tmp_path: Path,
) -> None:
    compose = (
        "services:\n  c:\n    image: busybox\n    volumes_from: [b]\n"
        "  b:\n    image: busybox\n    volumes_from: [a]\n"
        "  a:\n    image: postgres:16\n    volumes: ['data:/var/lib/postgresql/data']\nvolumes:\n  data: {}\n"
    )
    desired = _desired(tmp_path, compose, layout="service")

    family = next(td for td in desired.task_definitions if td["family"].endswith("-c"))
    assert [m["containerPath"] for m in family["containerDefinitions"][0]["mountPoints"]] == [
        "/var/lib/postgresql/data"
    ]
