"""Run `compose2ecs` in-process and look at what it printed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from compose2ecs.cli.main import main

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True)
class Result:
    code: int | str | None
    out: str
    err: str

    @property
    def errors(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith("error:")]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Result:
    with pytest.raises(SystemExit) as exc:
        main(list(argv))
    captured = capsys.readouterr()
    return Result(exc.value.code, captured.out, captured.err)


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def location_re(file: str, line: int | None = None) -> re.Pattern[str]:
    """`file:LINE[:COL]` with the file named relative or absolute; any line when `line` is None."""
    number = r"\d+" if line is None else str(line)
    return re.compile(rf"(?:^|[\s/]){re.escape(file)}:{number}(?::\d+)?(?=[:\s])")


def names_file(message: str, file: str) -> bool:
    """The message names `file` (relative or absolute), with or without a line."""
    return re.search(rf"(?:^|[\s/]){re.escape(file)}(?=[:\s]|$)", message) is not None


def assert_input_error(result: Result) -> None:
    """Exit code 2, at least one `error:` line, and never a traceback or an internal failure."""
    assert result.code == 2, result.err
    assert result.errors, result.err
    assert "Traceback" not in result.err
    assert "unexpected failure" not in result.err


def line_of(message: str, file: str) -> int | None:
    """The line number the message gives for `file`, if any."""
    match = re.search(rf"(?:^|[\s/]){re.escape(file)}:(\d+)", message)
    return int(match.group(1)) if match else None


def assert_single_error(result: Result, file: str, line: int, *fragments: str) -> str:
    """An input error with exactly one problem, at `file:line`, whose text holds every fragment."""
    assert_input_error(result)
    [error] = result.errors
    assert location_re(file, line).search(error), error
    for fragment in fragments:
        assert fragment in error, error
    return error
