"""Identity and what is deployed (issue 10, items 2 and 3), through the CLI against the emulator.

A deployment is a project in one cluster of one region. Its resources carry all three in their
tags; it changes only what carries its own, finds its services by their tags (so orphans and the
other layout's services are known without local state), and shares what others use.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from subprocess import PIPE
from typing import TYPE_CHECKING, Any

import boto3

from tests.cli._helpers import assert_single_error, run
from tests.e2e._helpers import WEB, project, unique
from tests.emulator import writes

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from tests.emulator import Emulator

TWO: dict[str, str | bytes] = {
    "docker-compose.yml": (
        "services:\n"
        "  web:\n    image: nginx:1.27\n    ports:\n      - '80:80'\n"
        "  api:\n    image: nginx:1.27\n    expose:\n      - '8080'\n"
    ),
}
WAIT = ("--timeout", "60")


def _status(cluster: str, service: str) -> str:
    found = boto3.client("ecs").describe_services(cluster=cluster, services=[service])["services"]
    return str(found[0]["status"]) if found else "MISSING"


def _active_revisions(family: str, region: str = "us-east-1") -> list[str]:
    ecs = boto3.client("ecs", region_name=region)
    arns = ecs.list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]
    return sorted(arn.rsplit("/", 1)[-1] for arn in arns if arn.rsplit("/", 1)[-1].split(":")[0] == family)


def _log_group_exists(name: str, region: str = "us-east-1") -> bool:
    groups = boto3.client("logs", region_name=region).describe_log_groups(logGroupNamePrefix=name)[
        "logGroups"
    ]
    return any(g["logGroupName"] == name for g in groups)


def _role_exists(name: str) -> bool:
    try:
        boto3.client("iam").get_role(RoleName=name)
    except boto3.client("iam").exceptions.NoSuchEntityException:
        return False
    return True


def _namespaces(name: str, region: str = "us-east-1") -> list[str]:
    listed = boto3.client("servicediscovery", region_name=region).list_namespaces()["Namespaces"]
    return [n["Name"] for n in listed if n["Name"] == name]


def test_one_project_in_two_clusters_is_two_independent_deployments(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path, monkeypatch, WEB)
    name, prod, staging = unique("twin"), unique("prod"), unique("staging")
    for cluster in (prod, staging):
        result = run(capsys, "up", "-p", name, "--layout", "service", "--cluster", cluster, *WAIT)
        assert result.code == 0, result.out + result.err
    prod_revisions = _active_revisions(f"{name}-web")

    result = run(capsys, "down", "--all", "-p", name, "--layout", "service", "--cluster", staging)

    assert result.code == 0, result.err
    # What prod uses is intact: role, log group, namespace, its revision, and it is in sync.
    assert _role_exists(f"{name}-ecsTaskExecutionRole")
    assert _log_group_exists(f"/ecs/{name}")
    assert _namespaces(f"{name}.{prod}") == [f"{name}.{prod}"]
    assert _namespaces(f"{name}.{staging}") == []
    assert _status(prod, f"{name}-web") == "ACTIVE"
    assert _active_revisions(f"{name}-web") == prod_revisions[:1]
    assert run(capsys, "diff", "-p", name, "--layout", "service", "--cluster", prod).code == 0
    assert run(capsys, "down", "--all", "-p", name, "--layout", "service", "--cluster", prod).code == 0
    assert not _role_exists(f"{name}-ecsTaskExecutionRole")
    assert not _log_group_exists(f"/ecs/{name}")


def test_one_project_in_two_regions_never_rewrites_the_other_regions_permissions(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path, monkeypatch, WEB)
    name, cluster = unique("regions"), unique("regions")
    role = f"{name}-ecsTaskExecutionRole"
    assert run(capsys, "up", "-p", name, "--cluster", cluster, *WAIT).code == 0
    iam = boto3.client("iam")
    before = {p: iam.get_role_policy(RoleName=role, PolicyName=p)["PolicyDocument"] for p in _policies(role)}

    eu = ("--region", "eu-west-1")
    plan = run(capsys, "diff", "-p", name, "--cluster", cluster, *eu)
    assert plan.code == 1  # nothing there yet
    assert run(capsys, "up", "-p", name, "--cluster", cluster, *eu, *WAIT).code == 0
    assert run(capsys, "diff", "-p", name, "--cluster", cluster).code == 0
    assert run(capsys, "diff", "-p", name, "--cluster", cluster, *eu).code == 0
    assert f"compose2ecs-{name}-{cluster}-eu-west-1" in _policies(role)

    assert run(capsys, "down", "--all", "-p", name, "--cluster", cluster, *eu).code == 0

    after = {p: iam.get_role_policy(RoleName=role, PolicyName=p)["PolicyDocument"] for p in _policies(role)}
    assert after == before
    assert not _log_group_exists(f"/ecs/{name}", "eu-west-1")
    assert _log_group_exists(f"/ecs/{name}")
    assert run(capsys, "diff", "-p", name, "--cluster", cluster).code == 0
    assert run(capsys, "down", "--all", "-p", name, "--cluster", cluster).code == 0


def _policies(role: str) -> list[str]:
    return sorted(boto3.client("iam").list_role_policies(RoleName=role)["PolicyNames"])


def test_project_shop_with_service_web_never_touches_project_shop_web(
    emulator: Emulator,
    aws_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shop, cluster = unique("shop"), unique("shops")
    shop_web = f"{shop}-web"
    project(tmp_path / "other", monkeypatch, WEB)
    assert run(capsys, "up", "-p", shop_web, "--cluster", cluster, *WAIT).code == 0
    revisions = _active_revisions(shop_web)
    project(tmp_path / "shop", monkeypatch, WEB)
    emulator.calls(clear=True)

    for command in ("diff", "up"):
        result = run(capsys, command, "-p", shop, "--layout", "service", "--cluster", cluster)
        assert_single_error(result, "docker-compose.yml", 2, f"belongs to project {shop_web}")
    for flags in ((), ("--all",)):
        result = run(capsys, "down", *flags, "-p", shop, "--layout", "service", "--cluster", cluster)
        assert result.code == 0, result.err
        assert f"kept service {shop_web}: it belongs to project {shop_web}" in result.out

    # Nothing but the deployment lock `down` takes (and gives back) is written.
    assert [w for w in writes(emulator.calls()) if not w.startswith("ssm:")] == []
    assert _status(cluster, shop_web) == "ACTIVE"
    assert _active_revisions(shop_web) == revisions
    monkeypatch.chdir(tmp_path / "other" / "app")
    assert run(capsys, "diff", "-p", shop_web, "--cluster", cluster).code == 0
    assert run(capsys, "down", "--all", "-p", shop_web, "--cluster", cluster).code == 0


def _logging_to(group: str) -> dict[str, str | bytes]:
    return {
        "docker-compose.yml": (
            "services:\n  web:\n    image: nginx:1.27\n    logging:\n      driver: awslogs\n"
            f"      options:\n        awslogs-group: {group}\n"
        )
    }


def test_a_log_group_two_projects_use_survives_the_first_ones_down_all(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    group, cluster = f"/shared/{unique('logs')}", unique("logs")
    first, second = unique("first"), unique("second")
    for name in (first, second):
        project(tmp_path / name, monkeypatch, _logging_to(group))
        assert run(capsys, "up", "-p", name, "--cluster", cluster, *WAIT).code == 0
    monkeypatch.chdir(tmp_path / first / "app")
    assert run(capsys, "diff", "-p", first, "--cluster", cluster).code == 0

    result = run(capsys, "down", "--all", "-p", first, "--cluster", cluster)

    assert result.code == 0, result.err
    assert f"kept log group {group}: 1 other deployment(s) still use it" in result.out
    assert _log_group_exists(group)
    monkeypatch.chdir(tmp_path / second / "app")
    assert run(capsys, "diff", "-p", second, "--cluster", cluster).code == 0
    result = run(capsys, "down", "--all", "-p", second, "--cluster", cluster)
    assert result.code == 0, result.err
    assert not _log_group_exists(group)  # its last user removed what compose2ecs created


def test_a_revision_registered_by_hand_survives_down_all(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path, monkeypatch, WEB)
    name, cluster = unique("hand"), unique("hand")
    assert run(capsys, "up", "-p", name, "--cluster", cluster, *WAIT).code == 0
    boto3.client("ecs").register_task_definition(
        family=name,
        containerDefinitions=[{"name": "debug", "image": "busybox", "memory": 128}],
    )
    assert _active_revisions(name) == [f"{name}:1", f"{name}:2"]

    result = run(capsys, "down", "--all", "-p", name, "--cluster", cluster)

    assert result.code == 0, result.err
    assert _active_revisions(name) == [f"{name}:2"]
    assert f"kept 1 revision(s) of task definition family {name}" in result.out


def test_orphans_are_listed_kept_with_a_warning_and_removed_with_remove_orphans(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, monkeypatch, TWO)
    name, cluster = unique("orphans"), unique("orphans")
    args = ("-p", name, "--layout", "service", "--cluster", cluster)
    assert run(capsys, "up", *args, *WAIT).code == 0
    (root / "docker-compose.yml").write_text(str(WEB["docker-compose.yml"]))  # api is gone

    plan = run(capsys, "diff", *args)
    assert plan.code == 1
    assert f"{name}-api" in plan.out
    assert "orphan" in plan.out
    kept = run(capsys, "up", *args, *WAIT)
    assert kept.code == 0, kept.err
    assert "up --remove-orphans" in kept.out
    assert _status(cluster, f"{name}-api") == "ACTIVE"

    removed = run(capsys, "up", *args, "--remove-orphans", *WAIT)

    assert removed.code == 0, removed.err
    assert _status(cluster, f"{name}-api") in {"INACTIVE", "MISSING"}
    assert run(capsys, "diff", *args).code == 0
    assert run(capsys, "down", "--all", *args).code == 0


def test_the_deployed_layout_is_read_back_and_switching_needs_force_replace(
    emulator: Emulator,
    aws_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project(tmp_path, monkeypatch, TWO)
    name, cluster = unique("layout"), unique("layout")
    assert run(capsys, "up", "-p", name, "--layout", "service", "--cluster", cluster, *WAIT).code == 0
    emulator.calls(clear=True)

    refused = run(capsys, "up", "-p", name, "--cluster", cluster)  # the project layout now

    assert refused.code == 2
    assert "--force-replace" in refused.err
    assert writes(emulator.calls()) == []
    switched = run(capsys, "up", "-p", name, "--cluster", cluster, "--force-replace", *WAIT)
    assert switched.code == 0, switched.err
    assert _status(cluster, name) == "ACTIVE"
    assert {_status(cluster, f"{name}-{s}") for s in ("web", "api")} <= {"INACTIVE", "MISSING"}
    # A plain `down` in the other layout still finds what runs, by its tags.
    result = run(capsys, "down", "-p", name, "--layout", "service", "--cluster", cluster)
    assert result.code == 0, result.err
    assert _status(cluster, name) in {"INACTIVE", "MISSING"}


def test_ps_logs_and_down_work_with_only_the_project_name(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path, monkeypatch, TWO)
    name, cluster = unique("named"), unique("named")
    assert run(capsys, "up", "-p", name, "--layout", "service", "--cluster", cluster, *WAIT).code == 0
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    monkeypatch.chdir(empty)
    listed = run(capsys, "ps", "-p", name, "--cluster", cluster)
    assert listed.code == 0, listed.err
    assert f"{name}-web" in listed.out
    assert f"{name}-api" in listed.out
    logged = run(capsys, "logs", "-p", name, "--cluster", cluster, "web")
    assert logged.code == 0, logged.err
    assert re.search(r"^web-[0-9a-f]{12} \| .*nginx:1\.27", logged.out, re.MULTILINE), logged.out

    result = run(capsys, "down", "--all", "-p", name, "--cluster", cluster)

    assert result.code == 0, result.err
    assert "no compose file here" in result.err
    assert {_status(cluster, f"{name}-{s}") for s in ("web", "api")} <= {"INACTIVE", "MISSING"}
    assert _active_revisions(f"{name}-web") == []
    assert not _role_exists(f"{name}-ecsTaskExecutionRole")
    assert not _log_group_exists(f"/ecs/{name}")
    assert _namespaces(f"{name}.{cluster}") == []
    assert boto3.client("ecs").describe_clusters(clusters=[cluster])["clusters"][0]["status"] == "INACTIVE"
    # Without a name there is nothing to go by.
    assert run(capsys, "down", "--cluster", cluster).code == 2


def _up_at_once(root: Path, *args: str) -> list[subprocess.CompletedProcess[str]]:
    """Two `compose2ecs up` processes started together, as two CI jobs would."""
    command = [sys.executable, "-m", "compose2ecs", "up", *args]
    runs = [
        subprocess.Popen(command, cwd=root, env=dict(os.environ), stdout=PIPE, stderr=PIPE, text=True)
        for _ in range(2)
    ]
    results = []
    for process in runs:
        out, err = process.communicate(timeout=240)
        results.append(subprocess.CompletedProcess(command, process.returncode, out, err))
    return results


def test_two_concurrent_ups_make_one_revision_per_change(
    aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, monkeypatch, WEB)
    name, cluster = unique("twins"), unique("twins")
    args = ("-p", name, "--cluster", cluster, "--timeout", "60")

    first = _up_at_once(root, *args)

    assert [r.returncode for r in first] == [0, 0], [r.stderr for r in first]
    assert _active_revisions(name) == [f"{name}:1"]
    assert any("waiting for the lock held by" in r.stderr for r in first)
    (root / "docker-compose.yml").write_text(str(WEB["docker-compose.yml"]).replace("1.27", "1.28"))

    second = _up_at_once(root, *args)

    assert [r.returncode for r in second] == [0, 0], [r.stderr for r in second]
    assert _active_revisions(name) == [f"{name}:1", f"{name}:2"]
    services = boto3.client("ecs").describe_services(cluster=cluster, services=[name])["services"]
    assert services[0]["taskDefinition"].endswith(f"{name}:2")


def test_the_written_trust_policy_admits_ecs_tasks_of_this_account_only(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path, monkeypatch, WEB)
    name = unique("trust")
    account = boto3.client("sts").get_caller_identity()["Account"]

    assert run(capsys, "up", "-p", name, "--cluster", unique("trust"), *WAIT).code == 0

    role = boto3.client("iam").get_role(RoleName=f"{name}-ecsTaskExecutionRole")["Role"]
    trust: Any = role["AssumeRolePolicyDocument"]
    [statement] = trust["Statement"]
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": account}}
