"""`exec` (issue 11, item 4): ECS Exec through the Session Manager plugin, on the emulator.

The plugin is a stand-in script on PATH that records what it was given: the session ECS answered
and the target, as the AWS CLI hands them over. The emulator answers ExecuteCommand as AWS does.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from typing import TYPE_CHECKING

from tests.e2e._helpers import project, unique
from tests.e2e.test_cli_grammar import compose2ecs

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

COMPOSE = "services:\n  web:\n    image: nginx:1.27\n    ports:\n      - '80:80'\n"
PARAMS = "version: 1\nrun_params:\n  enable_execute_command: true\n"


def _plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "plugin-args.json"
    script = bin_dir / "session-manager-plugin"
    script.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"open({str(record)!r}, 'w').write(json.dumps(sys.argv[1:]))\nsys.exit(7)\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return record


def test_exec_hands_the_session_and_target_to_the_plugin_and_exits_with_its_code(
    aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": COMPOSE, "ecs-params.yml": PARAMS})
    record = _plugin(tmp_path, monkeypatch)
    cluster = unique("exec")
    before = ("-p", unique("exec"), "--cluster", cluster)
    assert compose2ecs(*before, "up", cwd=root).returncode == 0

    result = compose2ecs(*before, "exec", "web", "ls", "-l", "/", cwd=root)

    assert result.returncode == 7, result.stdout + result.stderr  # the plugin's own exit code
    session, region, action, profile, parameters, endpoint = json.loads(record.read_text())
    assert json.loads(session)["sessionId"].startswith("ecs-execute-command-")
    assert (region, action, profile) == ("us-east-1", "StartSession", "")
    target = json.loads(parameters)["Target"]
    assert target.startswith(f"ecs:{cluster}_")
    assert target.count("_") >= 2  # ecs:<cluster>_<task id>_<runtime id>
    assert endpoint == aws_env
    assert "emulated-token" not in result.stdout + result.stderr
    assert compose2ecs(*before, "down", "--all", cwd=root).returncode == 0


def test_exec_explains_a_service_without_ecs_exec(
    aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": COMPOSE})
    _plugin(tmp_path, monkeypatch)
    before = ("-p", unique("noexec"), "--cluster", unique("noexec"))
    assert compose2ecs(*before, "up", "-d", cwd=root).returncode == 0

    result = compose2ecs(*before, "exec", "web", cwd=root)

    assert result.returncode == 2
    assert "run_params.enable_execute_command: true" in result.stderr
    assert "ssmmessages:CreateControlChannel" in result.stderr

    # Doing what the message says is enough: `up` replaces the tasks, which start with ECS Exec.
    (root / "ecs-params.yml").write_text(PARAMS)
    assert compose2ecs(*before, "up", cwd=root).returncode == 0
    entered = compose2ecs(*before, "exec", "web", cwd=root)
    assert entered.returncode == 7, entered.stdout + entered.stderr
    assert compose2ecs(*before, "down", "--all", cwd=root).returncode == 0


def test_exec_without_the_plugin_says_how_to_install_it_before_any_aws_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": COMPOSE})
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # a call would fail, not reach AWS

    result = compose2ecs("exec", "web", cwd=root)

    assert result.returncode == 3
    assert "session-manager-plugin" in result.stderr
    assert "session-manager-working-with-install-plugin" in result.stderr
    assert "127.0.0.1:9" not in result.stderr
