"""ecs-cli's spellings and files (issue 11, item 5), through the real console script.

The ecs-cli Fargate tutorial's commands, typed as ecs-cli users type them, with `~/.ecs/config`
and `~/.ecs/credentials` in a temporary HOME.
"""

from __future__ import annotations

import shlex
import uuid
from typing import TYPE_CHECKING

import boto3

from tests.cli.test_doc_examples import examples
from tests.e2e._helpers import project, unique
from tests.e2e.test_cli_grammar import compose2ecs
from tests.e2e.test_readme import _follow
from tests.emulator.process import access_keys

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

COMPOSE = "services:\n  web:\n    image: nginx:1.27\n    ports:\n      - '80:80'\n"


def _home(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cluster: str,
    *,
    region: str = "us-east-1",
    key: str = "AKIAECSCLITUTORIAL1",
) -> Path:
    home = tmp_path / "home"
    (home / ".ecs").mkdir(parents=True)
    (home / ".ecs" / "config").write_text(
        "version: v1\ndefault: tutorial\nclusters:\n"
        f"  tutorial:\n    cluster: {cluster}\n    region: {region}\n    default_launch_type: FARGATE\n"
        "  other:\n    cluster: elsewhere\n    region: eu-west-1\n"
    )
    (home / ".ecs" / "credentials").write_text(
        "version: v1\ndefault: tutorial-profile\necs_profiles:\n"
        f"  tutorial-profile:\n    aws_access_key_id: {key}\n"
        "    aws_secret_access_key: s3cr3t-ecs-key\n"
    )
    monkeypatch.setenv("HOME", str(home))
    return home


def test_the_ecs_cli_tutorial_runs_as_typed(
    aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster, name = unique("tutorial"), unique("tutorial")
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": COMPOSE})
    key = "AKIA" + uuid.uuid4().hex[:16].upper()  # seen by the emulator only if --ecs-profile is used
    _home(tmp_path, monkeypatch, cluster, key=key)
    flags = ("--cluster-config", "tutorial", "--ecs-profile", "tutorial-profile")

    up = compose2ecs(
        "compose", "--project-name", name, "service", "up", "--create-log-groups", *flags, cwd=root
    )

    assert up.returncode == 0, up.stdout + up.stderr
    assert f"compose2ecs --project-name {name} --cluster {cluster} --region us-east-1 up" in up.stderr
    assert up.stderr.count("ecs-cli spelling:") == 1  # said once
    assert "--aws-profile tutorial-profile" in up.stderr  # how to keep the credentials
    assert "s3cr3t" not in up.stdout + up.stderr
    assert key in access_keys(aws_env)  # the --ecs-profile credentials signed (the env has others)
    assert (
        boto3.client("ecs").describe_services(cluster=cluster, services=[name])["services"][0]["status"]
        == "ACTIVE"
    )
    ps = compose2ecs("compose", "--project-name", name, "service", "ps", *flags, cwd=root)
    assert ps.returncode == 0, ps.stderr
    assert "compose2ecs" in ps.stderr
    assert " ps -a" in ps.stderr
    assert name in ps.stdout
    scaled = compose2ecs("compose", "--project-name", name, "service", "scale", "2", *flags, cwd=root)
    assert scaled.returncode == 0, scaled.stderr
    assert (
        boto3.client("ecs").describe_services(cluster=cluster, services=[name])["services"][0]["desiredCount"]
        == 2
    )
    ecs = boto3.client("ecs")
    first = ecs.describe_services(cluster=cluster, services=[name])["services"][0]["deployments"][0]["id"]
    forced = compose2ecs(
        "compose", "--project-name", name, "service", "up", "--force-deployment", *flags, cwd=root
    )
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert " up --force-new-deployment" in forced.stderr
    assert (
        ecs.describe_services(cluster=cluster, services=[name])["services"][0]["deployments"][0]["id"]
        != first
    )

    def count() -> int:
        return int(ecs.describe_services(cluster=cluster, services=[name])["services"][0]["desiredCount"])

    stopped = compose2ecs("compose", "--project-name", name, "service", "stop", *flags, cwd=root)
    assert stopped.returncode == 0, stopped.stderr
    assert count() == 0
    started = compose2ecs("compose", "--project-name", name, "service", "start", *flags, cwd=root)
    assert started.returncode == 0, started.stderr
    assert count() == 1  # ecs-cli's `service start`: a stopped service gets one task again
    logs = compose2ecs("-p", name, "logs", cwd=root)  # the cluster from ~/.ecs/config's default
    assert logs.returncode == 0, logs.stderr
    assert logs.stdout.startswith("web-")
    task_logs = compose2ecs("-p", name, "logs", "--task-id", "0c2862e6", "--since", "60", *flags, cwd=root)
    assert task_logs.returncode == 0, task_logs.stderr
    assert "logs --since 60m" in task_logs.stderr
    assert task_logs.stdout == logs.stdout
    down = compose2ecs(
        "compose", "--project-name", name, "service", "down", "--timeout", "2", *flags, cwd=root
    )
    assert down.returncode == 0, down.stderr
    assert "--timeout 120" in down.stderr  # ecs-cli's minutes, in seconds


def test_the_default_cluster_configuration_fills_in_cluster_and_region(
    aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster = unique("ecsconfig")
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": COMPOSE})
    _home(tmp_path, monkeypatch, cluster, region="us-east-1")
    monkeypatch.delenv("AWS_DEFAULT_REGION")

    planned = compose2ecs("-p", unique("cfg"), "diff", cwd=root)
    given = compose2ecs("-p", unique("cfg"), "--cluster", "mine", "diff", cwd=root)

    assert planned.returncode == 1, planned.stderr
    assert f"create cluster {cluster}" in planned.stdout
    assert "create cluster mine" in given.stdout  # an explicit cluster wins


def test_ecs_cli_flags_compose2ecs_does_another_way_are_refused_with_the_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": COMPOSE})
    _home(tmp_path, monkeypatch, "c")

    ec2 = compose2ecs("compose", "service", "up", "--launch-type", "EC2", cwd=root)
    percent = compose2ecs("compose", "service", "up", "--deployment-max-percent", "150", cwd=root)
    unknown = compose2ecs("compose", "service", "frobnicate", cwd=root)
    missing = compose2ecs("compose", "service", "up", "--cluster-config", "nope", cwd=root)

    assert ec2.returncode == percent.returncode == unknown.returncode == missing.returncode == 2
    assert "Fargate only" in ec2.stderr
    assert "run_params.deployment.maximum_percent" in percent.stderr
    assert "no compose2ecs equivalent" in unknown.stderr
    assert "no such configuration" in missing.stderr
    assert "tutorial" in missing.stderr
    assert "other" in missing.stderr
    assert all("Traceback" not in r.stderr for r in (ec2, percent, unknown, missing))


def test_the_tutorial_in_the_new_spelling_runs_as_docs_ecs_cli_md_writes_it(
    aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": COMPOSE})
    start = "compose2ecs --project-name tutorial --cluster tutorial "
    lines = [
        line for where, line in examples() if where.startswith("docs/ecs-cli.md") and line.startswith(start)
    ]
    steps = [shlex.split(line)[1:] for line in lines if "--region" not in line]  # that one is output
    assert [argv[4] for argv in steps] == ["up", "ps", "logs", "scale", "down"]  # steps 7 to 12
    names = {"tutorial": unique("tutorial")}
    for argv in steps:
        argv = [names.get(word, word) for word in argv]
        if argv[4] == "logs":
            assert _follow(argv, root).startswith("web-")
            continue
        result = compose2ecs(*argv, cwd=root)
        assert result.returncode == 0, (argv, result.stdout + result.stderr)
    ecs = boto3.client("ecs")
    assert ecs.describe_clusters(clusters=[names["tutorial"]])["clusters"][0]["status"] == "INACTIVE"


def test_the_standalone_task_spellings_and_the_rest_run_through_the_console_script(
    aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": COMPOSE})
    _home(tmp_path, monkeypatch, unique("tasks"))
    name = unique("tasks")
    steps = [
        (["compose", "-p", name, "create"], " up"),
        (["compose", "-p", name, "start"], " up"),
        (["compose", "-p", name, "up"], " up"),
        (["compose", "-p", name, "ps"], " ps -a"),
        (["compose", "-p", name, "scale", "2"], " scale 2"),
        (["compose", "-p", name, "service", "create"], " up"),
        (["compose", "-p", name, "stop"], " down"),
        (["compose", "-p", name, "service", "up"], " up"),
        (["compose", "-p", name, "service", "rm"], " down"),
    ]
    for argv, spelled in steps:
        result = compose2ecs(*argv, cwd=root)
        assert result.returncode == 0, (argv, result.stdout + result.stderr)
        [hint] = [line for line in result.stderr.splitlines() if line.startswith("ecs-cli spelling:")]
        assert f"--project-name {name}" in hint
        assert f"{spelled}`" in hint, (argv, hint)
    refused = compose2ecs(
        "compose",
        "service",
        "up",
        "--target-groups",
        "targetGroupArn=arn:x,containerName=web,containerPort=80",
        cwd=root,
    )
    assert refused.returncode == 2
    assert "--target-groups" in refused.stderr
    assert "run_params.target_groups" in refused.stderr  # where it goes instead
    assert "Traceback" not in refused.stderr
