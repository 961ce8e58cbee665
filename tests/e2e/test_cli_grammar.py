"""docker compose's option grammar and flags, through the real console script (issue 11, items 1-2).

Each test runs the installed `compose2ecs` in a subprocess, as a user types it: the compose and
AWS options before the command, the old spellings after it, and the docker compose flags.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from tests.e2e._helpers import project, unique

if TYPE_CHECKING:
    import pytest

BASE = "services:\n  web:\n    image: nginx:1.27\n    ports:\n      - '80:80'\n"
OVERRIDE = (
    "services:\n  web:\n    environment:\n      MODE: override\n"
    "  debug:\n    image: busybox:1.36\n    command: ['sleep', '3600']\n    profiles: [debug]\n"
)
SCRIPT = Path(sys.executable).with_name("compose2ecs")


def compose2ecs(*argv: str, cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "compose2ecs"]
    return subprocess.run(
        [*command, *argv], cwd=cwd, capture_output=True, text=True, check=False, timeout=timeout
    )


def _files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return project(tmp_path, monkeypatch, {"a.yml": BASE, "b.yml": OVERRIDE})


def test_compose_options_come_before_the_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _files(tmp_path, monkeypatch)

    listed = compose2ecs(
        "-f", "a.yml", "-f", "b.yml", "-p", "shop", "--profile", "debug", "config", "--services", cwd=root
    )
    plain = compose2ecs("-f", "a.yml", "-f", "b.yml", "config", "--services", cwd=root)
    merged = compose2ecs(
        "--file", "a.yml", "--file", "b.yml", "-p", "shop", "config", "--format", "json", cwd=root
    )

    assert listed.returncode == 0, listed.stderr
    assert sorted(listed.stdout.split()) == ["debug", "web"]
    assert plain.stdout.split() == ["web"]  # the debug profile is off unless asked for
    document = json.loads(merged.stdout)
    assert document["name"] == "shop"
    assert document["services"]["web"]["environment"] == {"MODE": "override"}


def test_the_spellings_after_the_command_still_work_and_win(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _files(tmp_path, monkeypatch)

    after = compose2ecs("config", "-f", "a.yml", "-f", "b.yml", "--profile", "debug", "--services", cwd=root)
    both = compose2ecs("-p", "before", "-f", "a.yml", "config", "-p", "after", "--format", "json", cwd=root)

    assert sorted(after.stdout.split()) == ["debug", "web"], after.stderr
    assert json.loads(both.stdout)["name"] == "after"


def test_profile_is_a_compose_profile_and_aws_profile_the_aws_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _files(tmp_path, monkeypatch)
    config = tmp_path / "aws-config"
    config.write_text("[profile staging]\nregion = eu-west-2\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)

    result = compose2ecs(
        "-f",
        "a.yml",
        "-f",
        "b.yml",
        "--profile",
        "debug",
        "--aws-profile",
        "staging",
        "convert",
        "-o",
        "json",
        cwd=root,
    )
    legacy = compose2ecs(
        "-f", "a.yml", "-f", "b.yml", "convert", "--compose-profile", "debug", "-o", "json", cwd=root
    )

    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    (definition,) = document["taskDefinitions"]
    containers = {c["name"]: c for c in definition["containerDefinitions"]}
    assert set(containers) == {"web", "debug"}  # --profile enabled the compose profile
    assert (
        containers["web"]["logConfiguration"]["options"]["awslogs-region"] == "eu-west-2"
    )  # the AWS profile's
    assert {c["name"] for c in json.loads(legacy.stdout)["taskDefinitions"][0]["containerDefinitions"]} == {
        "web",
        "debug",
    }


def test_version_is_printed_both_ways(tmp_path: Path) -> None:
    flag = compose2ecs("--version", cwd=tmp_path)
    command = compose2ecs("version", cwd=tmp_path)

    assert flag.returncode == command.returncode == 0
    assert flag.stdout.startswith("compose2ecs version ")
    assert flag.stdout == command.stdout


def test_up_detached_then_ps_as_json_then_logs_with_timestamps_and_follow(
    aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _files(tmp_path, monkeypatch)
    name, cluster = unique("grammar"), unique("grammar")
    before = ("-f", "a.yml", "-f", "b.yml", "-p", name, "--profile", "debug", "--cluster", cluster)

    started = compose2ecs(*before, "up", "-d", cwd=root)

    assert started.returncode == 0, started.stdout + started.stderr
    assert "not waiting" in started.stdout
    rows: list[dict[str, str]] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(r["status"] == "RUNNING" for r in rows):
        listed = compose2ecs(*before, "ps", "--format", "json", cwd=root)
        assert listed.returncode == 0, listed.stderr
        rows = json.loads(listed.stdout)
        time.sleep(0.5)
    assert {r["container"] for r in rows} == {"web", "debug"}
    assert all(r["service"] == name for r in rows)
    stamped = compose2ecs(*before, "logs", "-t", "--no-log-prefix", "debug", cwd=root)
    assert stamped.returncode == 0, stamped.stderr
    lines = stamped.stdout.splitlines()
    assert lines
    for line in lines:
        moment, text = line.split(" ", 1)
        assert text == "sleep 3600"  # the emulator logs the command line; no prefix
        assert moment[:4].isdigit()
        assert "T" in moment
        assert moment.endswith("Z")
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "compose2ecs"]
    with subprocess.Popen(
        [*command, *before, "logs", "-f", "web"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as follower:
        try:
            assert follower.stdout is not None
            first = follower.stdout.readline()
            time.sleep(3)  # past one poll: still following
            assert follower.poll() is None
        finally:
            follower.terminate()
    assert first.startswith("web-")
    assert compose2ecs(*before, "down", "--all", cwd=root).returncode == 0


def test_ps_all_shows_why_tasks_stopped(
    aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(
        tmp_path, monkeypatch, {"docker-compose.yml": "services:\n  job:\n    image: busybox:exit-1\n"}
    )
    name, cluster = unique("stopped"), unique("stopped")
    before = ("-p", name, "--cluster", cluster)
    assert compose2ecs(*before, "up", "--detach", cwd=root).returncode == 0

    rows: list[dict[str, str]] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(r["stopped_reason"] for r in rows):
        rows = json.loads(compose2ecs(*before, "ps", "-a", "--format", "json", cwd=root).stdout)
        time.sleep(0.5)
    running = json.loads(compose2ecs(*before, "ps", "--format", "json", cwd=root).stdout)

    stopped = [r for r in rows if r["stopped_reason"]]
    assert stopped, rows
    assert stopped[0]["status"] == "STOPPED"
    assert stopped[0]["stopped_reason"].startswith("exit 1")
    assert all(r["status"] != "STOPPED" for r in running)
    table = compose2ecs(*before, "ps", "-a", cwd=root)
    assert "STOPPED BECAUSE" in table.stdout
    assert compose2ecs(*before, "down", "--all", cwd=root).returncode == 0


def test_the_cluster_comes_from_the_environment_before_the_default(
    aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": BASE})
    cluster = unique("envcluster")
    monkeypatch.setenv("COMPOSE2ECS_CLUSTER", cluster)

    result = compose2ecs("-p", unique("env"), "diff", cwd=root)

    assert result.returncode == 1, result.stderr
    assert f"create cluster {cluster}" in result.stdout


def test_conversion_warnings_come_with_the_commands_that_convert_only(
    aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": BASE + "    hostname: web1\n"})
    before = ("-p", unique("warn"), "--cluster", unique("warn"))

    planned = compose2ecs(*before, "diff", cwd=root)
    listed = compose2ecs(*before, "ps", cwd=root)
    removed = compose2ecs(*before, "down", cwd=root)

    assert planned.returncode == 1, planned.stderr
    assert "warning: [ignored]" in planned.stderr
    assert "hostname" in planned.stderr
    assert listed.returncode == removed.returncode == 0, listed.stderr + removed.stderr
    assert "warning" not in listed.stderr + removed.stderr


def test_run_a_one_off_task_exits_with_its_containers_exit_code(
    aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compose = (
        "services:\n  app:\n    image: busybox:1.36\n    command: ['sleep', '3600']\n"
        "    expose: ['8000']\n"  # a Service Connect endpoint, which a one-off task cannot use
        "  broken:\n    image: busybox:exit-1\n"
    )
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": compose})
    before = ("-p", unique("run"), "--cluster", unique("run"))
    started = compose2ecs(*before, "up", "--layout", "service", "-d", cwd=root)
    assert started.returncode == 0, started.stdout + started.stderr

    ok = compose2ecs(
        *before,
        "run",
        "--layout",
        "service",
        "-e",
        "MODE=once",
        "app",
        "echo",
        "migrated",
        "--noinput",
        cwd=root,
    )
    failed = compose2ecs(*before, "run", "--rm", "--layout", "service", "broken", cwd=root)
    missing = compose2ecs(*before, "run", "--layout", "service", "nope", cwd=root)

    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.splitlines() == [
        "echo migrated --noinput"
    ]  # its log line (the emulator logs the command)
    assert "exited with code 0" in ok.stderr
    assert "does not resolve the other services' names" in ok.stderr  # Service Connect: services only
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert missing.returncode == 2
    assert "no service named nope" in missing.stderr
    assert compose2ecs(*before, "down", "--layout", "service", "--all", cwd=root).returncode == 0
