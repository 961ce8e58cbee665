"""All problems at once (issue 11, item 6): every stage reports in the same run, exit 2."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.cli._helpers import assert_input_error, line_of, run, write

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

COMPOSE = (
    "services:\n"
    "  web:\n"
    "    image: nginx:1.27\n"
    "    prots:\n"  # 4: a misspelled key (the loader)
    "      - '80:80'\n"
    "    depends_on: [db2]\n"  # 6: an undefined dependency (cross-references)
    "    privileged: true\n"  # 7: a Fargate refusal
)
PARAMS = "version: 1\ntask_definition:\n  task_sizee:\n    cpu_limit: 256\n"  # 3: an ecs-params typo


def test_one_problem_of_each_stage_is_reported_in_one_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"docker-compose.yml": COMPOSE, "ecs-params.yml": PARAMS})
    monkeypatch.chdir(tmp_path)

    result = run(capsys, "--region", "us-east-1", "convert")

    assert_input_error(result)
    assert len(result.errors) == 4, result.err
    by_stage = {
        "prots": ("docker-compose.yml", 4),
        "db2": ("docker-compose.yml", 6),
        "task_sizee": ("ecs-params.yml", 3),
        "privileged": ("docker-compose.yml", 7),
    }
    for fragment, (file, line) in by_stage.items():
        [error] = [e for e in result.errors if fragment in e]
        assert line_of(error, file) == line, error
    assert "4 problems found." in result.err


def test_a_file_that_does_not_load_at_all_still_reports_the_ecs_params_problems(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"docker-compose.yml": "services: [web]\n", "ecs-params.yml": PARAMS})
    monkeypatch.chdir(tmp_path)

    result = run(capsys, "--region", "us-east-1", "convert")

    assert_input_error(result)
    assert len(result.errors) == 2, result.err
    assert "services: must be a mapping" in result.errors[0]
    assert "ecs-params.yml:3" in result.errors[1]
    assert "empty compose file" not in result.err  # a consequence of dropping services, not a problem


def test_config_keeps_docker_composes_verdict_and_messages(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"docker-compose.yml": COMPOSE, "ecs-params.yml": PARAMS})
    monkeypatch.chdir(tmp_path)

    result = run(capsys, "config")

    assert_input_error(result)
    assert [e for e in result.errors if "prots" in e]
    assert not [e for e in result.errors if "privileged" in e or "task_sizee" in e]


def test_profile_after_an_aws_command_is_refused_not_silently_a_compose_profile(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"docker-compose.yml": "services:\n  web:\n    image: nginx:1.27\n"})
    monkeypatch.chdir(tmp_path)

    after = run(capsys, "--region", "us-east-1", "convert", "--profile", "prod")
    before = run(capsys, "--region", "us-east-1", "--profile", "prod", "convert", "-o", "json")

    assert after.code == 2
    assert "--aws-profile" in after.err
    assert before.code == 0, before.err


def test_a_misspelled_image_is_one_problem_and_the_service_is_still_checked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With `imag:` dropped, the service has no image: saying so again would be the same problem
    # twice, and dropping the service for it would hide its Fargate refusal.
    compose = "services:\n  web:\n    imag: nginx\n    privileged: true\n"
    write(tmp_path, {"docker-compose.yml": compose})
    monkeypatch.chdir(tmp_path)

    result = run(capsys, "--region", "us-east-1", "convert")

    assert_input_error(result)
    assert len(result.errors) == 2, result.err
    assert 'services.web.imag: unknown key (did you mean "image"?)' in result.errors[0]
    assert "services.web.privileged: Fargate does not run privileged containers" in result.errors[1]


def test_the_trust_policy_is_checked_in_the_same_run_as_the_compose_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",\n'
        ' "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}\n'
    )
    write(tmp_path, {"docker-compose.yml": COMPOSE, "task-execution-assume-role.json": policy})
    monkeypatch.chdir(tmp_path)

    result = run(capsys, "--region", "us-east-1", "convert")

    assert_input_error(result)
    assert any("prots" in e for e in result.errors), result.err
    assert any(
        "task-execution-assume-role.json" in e and "ecs-tasks.amazonaws.com" in e for e in result.errors
    ), result.err
