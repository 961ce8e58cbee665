"""The command examples of docs/commands.md and docs/conversion.md, run against the emulator.

A project of the shape the examples assume (a `web` and a `worker` service, the service layout,
ECS Exec on, the files they name) is deployed first; each example then runs as written, with
its placeholder names (NAME, shop, prod) made unique; the ones that remove come last.
"""

from __future__ import annotations

import os
import shlex
import stat
import sys
from typing import TYPE_CHECKING

from tests.cli.test_doc_examples import examples
from tests.e2e._helpers import project, unique
from tests.e2e.test_cli_grammar import compose2ecs
from tests.e2e.test_readme import _follow

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

COMPOSE = (
    "services:\n"
    "  web:\n    image: nginx:1.27\n    ports:\n      - '80:80'\n"
    "  worker:\n    image: busybox:1.36\n    command: ['sleep', '3600']\n"
)
PROD = "services:\n  debug:\n    image: busybox:1.36\n    command: ['sleep', '3600']\n    profiles: [debug]\n"
PARAMS = "version: 1\nrun_params:\n  layout: service\n  enable_execute_command: true\n"
DOCS = ("docs/commands.md", "docs/conversion.md")


def test_the_command_examples_of_the_docs_run_as_written(
    aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(
        tmp_path,
        monkeypatch,
        {"compose.yaml": COMPOSE, "compose.prod.yaml": PROD, "a.yml": COMPOSE, "ecs-params.yml": PARAMS},
    )
    plugin = tmp_path / "bin" / "session-manager-plugin"
    plugin.parent.mkdir()
    plugin.write_text(f"#!{sys.executable}\nimport sys\nsys.exit(0)\n")
    plugin.chmod(plugin.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{plugin.parent}{os.pathsep}{os.environ['PATH']}")
    name, cluster = unique("docs"), unique("docs")
    monkeypatch.setenv("COMPOSE_PROJECT_NAME", name)
    monkeypatch.setenv("COMPOSE2ECS_CLUSTER", cluster)
    names = {"NAME": name, "shop": unique("shop"), "prod": unique("prod")}
    lines = [line for where, line in examples() if where.split(":")[0] in DOCS]
    lines = sorted(dict.fromkeys(lines), key=lambda line: " down" in line)  # removals last, else in order
    assert len(lines) >= 15
    assert compose2ecs("up", cwd=root).returncode == 0
    for line in lines:
        argv = [names.get(word, word) for word in shlex.split(line)[1:]]
        if "logs" in argv and "-f" in argv[argv.index("logs") :]:
            assert _follow(argv, root).startswith(("web-", "worker-")), line
            continue
        result = compose2ecs(*argv, cwd=root)
        if argv == ["scale", "2"]:
            # Documented for a project with one ECS service; this one has two, and is told how.
            assert result.returncode == 2, result.stderr
            assert "scale web=2 worker=1" in result.stderr
            continue
        allowed = {0, 1} if "diff" in argv else {0}
        assert result.returncode in allowed, f"{line}\n{result.stdout}\n{result.stderr}"
    assert compose2ecs("down", "--all", cwd=root).returncode == 0
    shop = ("-f", "compose.yaml", "-f", "compose.prod.yaml", "-p", names["shop"], "--cluster", names["prod"])
    assert compose2ecs(*shop, "--profile", "debug", "down", "--all", cwd=root).returncode == 0
