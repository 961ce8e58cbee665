"""ecs-cli command lines as compose2ecs's (cli/ecs_cli.py), and ecs-cli's files (load/ecs_cli_config.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from compose2ecs.cli.ecs_cli import translate
from compose2ecs.errors import UsageError
from compose2ecs.load.ecs_cli_config import cluster_config, default_profile

if TYPE_CHECKING:
    from pathlib import Path


def _home(tmp_path: Path) -> dict[str, str]:
    (tmp_path / ".ecs").mkdir()
    (tmp_path / ".ecs" / "config").write_text(
        "version: v1\ndefault: a\nclusters:\n  a: {cluster: ca, region: us-west-2}\n  b: {cluster: cb}\n"
    )
    (tmp_path / ".ecs" / "credentials").write_text(
        "version: v1\ndefault: p\necs_profiles:\n  p: {aws_access_key_id: AK, aws_secret_access_key: SK}\n"
    )
    return {"HOME": str(tmp_path)}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["compose", "-f", "a.yml", "--project-name", "t", "service", "up", "--timeout", "5"],
            [
                "--file",
                "a.yml",
                "--project-name",
                "t",
                "up",
                "--timeout",
                "300",
            ],
        ),
        (
            ["compose", "--ecs-params", "p.yml", "service", "scale", "3", "--cluster-config", "b"],
            ["--cluster", "cb", "scale", "--ecs-params", "p.yml", "3"],
        ),
        (
            ["compose", "service", "up", "--force-deployment", "-c", "x"],
            ["--cluster", "x", "up", "--force-new-deployment"],
        ),
        (
            ["compose", "service", "stop", "-c", "x", "-r", "eu-west-1"],
            ["--cluster", "x", "--region", "eu-west-1", "scale", "0"],
        ),
        (
            ["compose", "service", "down", "--timeout", "0"],
            ["down", "--no-wait"],
        ),
        (
            ["compose", "ps", "--desired-status", "STOPPED"],
            ["ps", "-a"],
        ),
        (
            ["logs", "--task-id", "abc", "--follow", "--since", "5", "--container-name", "web", "-t"],
            [
                "logs",
                "--follow",
                "--since",
                "5m",
                "web",
                "--timestamps",
            ],
        ),
    ],
)
def test_ecs_cli_command_lines_become_compose2ecs_ones(
    tmp_path: Path, argv: list[str], expected: list[str]
) -> None:
    translation = translate(argv, _home(tmp_path))

    assert translation is not None
    assert translation.argv == expected
    assert translation.credentials is None


def test_an_ecs_profile_gives_credentials_that_the_hint_never_shows(tmp_path: Path) -> None:
    translation = translate(["compose", "service", "up", "--ecs-profile", "p"], _home(tmp_path))

    assert translation is not None
    assert translation.credentials is not None
    assert (translation.credentials.access_key, translation.credentials.secret_key) == ("AK", "SK")
    assert "SK" not in translation.hint
    assert "AK" not in translation.hint


def test_other_command_lines_are_left_alone(tmp_path: Path) -> None:
    environ = _home(tmp_path)
    assert translate(["up", "-d"], environ) is None
    assert translate(["logs", "web", "-f"], environ) is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["compose", "service", "up", "--launch-type", "EC2"], "Fargate only"),
        (["compose", "service", "up", "--target-groups", "targetGroupArn=x"], "run_params.target_groups"),
        (["compose", "service", "up", "--ecs-profile", "nope"], "no such profile"),
        (["compose", "service", "run"], "no compose2ecs equivalent"),
        (["compose"], "name a subcommand"),
        (["compose", "service", "up", "--frobnicate"], "no compose2ecs equivalent"),
    ],
)
def test_what_compose2ecs_does_another_way_is_refused_with_the_way(
    tmp_path: Path, argv: list[str], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        translate(argv, _home(tmp_path))


def test_without_ecs_cli_files_nothing_is_filled_in(tmp_path: Path) -> None:
    environ = {"HOME": str(tmp_path)}

    assert cluster_config(environ) == {}
    assert default_profile(environ) is None
    with pytest.raises(UsageError, match="written by `ecs-cli configure`"):
        cluster_config(environ, "tutorial")


def test_options_given_before_compose_win_and_an_explicit_cluster_config_beats_the_environment(
    tmp_path: Path,
) -> None:
    # ecs-cli's order: --region or the --cluster-config entry, then the environment. A project
    # that ecs-cli deployed is found where it is, not copied into the environment's region.
    environ = _home(tmp_path)

    given = translate(
        ["compose", "service", "ps", "--cluster-config", "a"],
        environ,
        ["--cluster", "prod", "--region", "eu-west-1"],
    )
    from_env = translate(
        ["compose", "service", "ps", "--cluster-config", "a"],
        {**environ, "COMPOSE2ECS_CLUSTER": "x", "AWS_REGION": "y"},
    )
    default = translate(["compose", "service", "ps"], environ)

    assert given is not None
    assert given.argv == ["ps", "-a"]
    assert from_env is not None
    assert from_env.argv == ["--cluster", "ca", "--region", "us-west-2", "ps", "-a"]
    assert default is not None
    assert default.argv == [
        "ps",
        "-a",
    ]  # the default configuration is applied later, with the same precedence


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["compose", "--task-role-arn", "arn:x", "service", "up"], "task_definition.task_role_arn"),
        (["compose", "--frobnicate", "service", "up"], "no compose2ecs equivalent"),
        (["compose", "service", "up", "--cluster-config"], "needs a value"),
        (["compose", "service", "up", "--ecs-params"], "needs a value"),
    ],
)
def test_compose_level_and_valueless_flags_are_usage_errors(
    tmp_path: Path, argv: list[str], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        translate(argv, _home(tmp_path))


def test_verbose_is_ignored(tmp_path: Path) -> None:
    translation = translate(["compose", "--verbose", "service", "scale", "2", "-c", "x"], _home(tmp_path))

    assert translation is not None
    assert translation.argv == ["--cluster", "x", "scale", "2"]
