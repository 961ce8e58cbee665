"""The README's command examples, run as written, in order, on the bundled example against the emulator.

The project directory is a copy of examples/fargate-tutorial, with ECS Exec turned on for the
`exec` line and the two files the last line names; the Session Manager plugin is a stand-in.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from tests.e2e._helpers import unique
from tests.e2e.test_cli_grammar import SCRIPT, compose2ecs

if TYPE_CHECKING:
    import pytest

ROOT = Path(__file__).resolve().parents[2]


def readme_examples() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("In a project directory", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return [
        re.split(r"\s{2,}#", line)[0].strip()
        for line in block.splitlines()
        if line.startswith("compose2ecs ")
    ]


def _project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "app"
    shutil.copytree(ROOT / "examples" / "fargate-tutorial", root)
    with (root / "ecs-params.yml").open("a", encoding="utf-8") as params:
        params.write("  enable_execute_command: true\n")
    plugin = tmp_path / "bin" / "session-manager-plugin"
    plugin.parent.mkdir()
    plugin.write_text(f"#!{sys.executable}\nimport sys\nsys.exit(0)\n")
    plugin.chmod(plugin.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{plugin.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("COMPOSE_PROJECT_NAME", unique("readme"))
    monkeypatch.setenv("COMPOSE2ECS_CLUSTER", unique("readme"))
    for name in ("COMPOSE_FILE", "COMPOSE_PROFILES"):
        monkeypatch.delenv(name, raising=False)
    return root


def _follow(argv: list[str], cwd: Path) -> str:
    """`logs -f` runs until stopped: its first line, then stop it."""
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "compose2ecs"]
    with subprocess.Popen([*command, *argv], cwd=cwd, stdout=subprocess.PIPE, text=True) as follower:
        try:
            assert follower.stdout is not None
            first = follower.stdout.readline()
            time.sleep(1)
            assert follower.poll() is None  # still following
        finally:
            follower.terminate()
    return first


def test_the_readme_examples_run_as_written(
    aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path, monkeypatch)
    examples = readme_examples()
    assert len(examples) >= 10
    shop = ""
    for line in examples:
        argv = shlex.split(line)[1:]
        if "-f" in argv[:1] and "compose.prod.yaml" in argv:
            # The last line's own files: a base and a production override with a debug profile.
            (root / "docker-compose.yml").rename(root / "compose.yaml")
            (root / "compose.prod.yaml").write_text(
                "services:\n  debug:\n    image: busybox:1.36\n"
                "    command: ['sleep', '3600']\n    profiles: [debug]\n"
            )
            shop = unique("shop")
            argv[argv.index("shop")] = shop
        if "logs" in argv and "-f" in argv:
            assert _follow(argv, root).startswith("web-"), line
            continue
        result = compose2ecs(*argv, cwd=root)
        allowed = {0, 1} if argv[:1] == ["diff"] else {0}
        assert result.returncode in allowed, f"{line}\n{result.stdout}\n{result.stderr}"
    assert shop
    assert compose2ecs("down", "--all", cwd=root).returncode == 0
    assert (
        compose2ecs(
            "-f", "compose.yaml", "-f", "compose.prod.yaml", "-p", shop, "down", "--all", cwd=root
        ).returncode
        == 0
    )
