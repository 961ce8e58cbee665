"""Special files as inputs (issue 17, item 4): read only when regular, never blocking, bounded.

Through the console script, each with a time bound: a FIFO must not hang the run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path

WEB = "services:\n  web:\n    image: nginx\n"


def _convert(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compose2ecs", "convert", "--region", "us-east-1", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,  # a FIFO read would block for ever
    )


def _refused(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr  # bad input
    assert words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert "unexpected failure" not in result.stderr


@pytest.mark.parametrize("flag", ["--ecs-params", "--role-policy", "-f"])
def test_a_fifo_is_refused_without_blocking(tmp_path: Path, flag: str) -> None:
    (tmp_path / "docker-compose.yml").write_text(WEB)
    os.mkfifo(tmp_path / "pipe")
    argv = ("-f", "pipe") if flag == "-f" else (flag, "pipe")
    _refused(_convert(tmp_path, *argv), "is a FIFO")


def test_a_device_is_refused_and_never_read(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text(WEB)
    _refused(_convert(tmp_path, "--ecs-params", "/dev/zero"), "is a system file (/dev/zero)")


@pytest.mark.parametrize("make", ["dangling", "directory", "fifo"])
def test_a_default_ecs_params_that_is_no_regular_file_is_an_error_not_ignored(
    tmp_path: Path, make: str
) -> None:
    (tmp_path / "docker-compose.yml").write_text(WEB)
    target = tmp_path / "ecs-params.yml"
    if make == "dangling":
        target.symlink_to(tmp_path / "gone.yml")
        words = "is a link to"
    elif make == "directory":
        target.mkdir()
        words = "is a directory"
    else:
        os.mkfifo(target)
        words = "is a FIFO"
    _refused(_convert(tmp_path), words)


def test_an_env_file_under_proc_is_refused(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text(WEB + "    env_file: [/proc/self/environ]\n")
    planted = "planted-runner-credential"
    result = subprocess.run(
        [sys.executable, "-m", "compose2ecs", "convert", "--region", "us-east-1", "-o", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={**os.environ, "AWS_SECRET_ACCESS_KEY": planted},
    )
    _refused(result, "is a system file")
    assert planted not in result.stdout + result.stderr  # the runner's own environment stays its own


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text(WEB + "# " + "x" * (17 * 1024 * 1024) + "\n")
    _refused(_convert(tmp_path), "is larger than 16 MiB")
