"""Every input error is exit 2 with a message, never "unexpected failure" (issue 17, item 5)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path


def _compose2ecs(
    cwd: Path, *argv: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compose2ecs", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def _input_error(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr  # bad input
    assert words in result.stderr, result.stderr[:2000]
    assert "unexpected failure" not in result.stderr
    assert "Traceback" not in result.stderr


def test_a_number_of_a_hundred_thousand_digits_is_out_of_range(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: " + "9" * 100_000 + "\n"
    )
    _input_error(_compose2ecs(tmp_path, "convert", "--region", "us-east-1"), "value out of range")


@pytest.mark.parametrize("url", ["htp:/nonsense", "http://[::1", "http://127.0.0.1:99999", "127.0.0.1:5000"])
def test_an_endpoint_url_that_is_not_one_is_a_usage_error(tmp_path: Path, url: str) -> None:
    (tmp_path / "docker-compose.yml").write_text("services:\n  web:\n    image: nginx\n")
    credentials = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

    by_flag = _compose2ecs(tmp_path, "diff", "--region", "us-east-1", "--endpoint-url", url, env=credentials)
    by_env = _compose2ecs(
        tmp_path, "diff", "--region", "us-east-1", env={**credentials, "AWS_ENDPOINT_URL": url}
    )

    _input_error(by_flag, f"--endpoint-url {url!r} is not an endpoint URL")
    _input_error(by_env, f"AWS_ENDPOINT_URL {url!r} is not an endpoint URL")
