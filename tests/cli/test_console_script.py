"""The installed entry point (`run`): exit codes and complete output without interpreter teardown."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _compose2ecs(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compose2ecs", *argv], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_output_is_complete_and_exit_code_is_zero() -> None:
    case = FIXTURES / "convert-sidecars"
    result = _compose2ecs("convert", "-o", "json", "--region", "us-west-2", cwd=case)
    assert result.returncode == 0, result.stderr
    # The whole document, byte for byte: the buffered output was flushed before the fast exit.
    expected = json.loads((case / "expected.json").read_text())
    del expected["exitCode"]
    assert json.loads(result.stdout) == expected


@pytest.mark.parametrize(
    ("argv", "code", "stderr"),
    [
        (("convert", "-f", "missing.yml"), 2, "missing.yml: no such file"),
        (("convert", "--layout", "nope"), 2, "Invalid value for '--layout'"),
        (("no-such-command",), 2, "No such command"),
    ],
)
def test_exit_codes_and_messages(tmp_path: Path, argv: tuple[str, ...], code: int, stderr: str) -> None:
    result = _compose2ecs(*argv, cwd=tmp_path)
    assert result.returncode == code
    assert stderr in result.stderr
    assert "Traceback" not in result.stderr
