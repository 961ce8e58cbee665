"""`convert`'s default human view: the summary of what would be created, then the report."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

from tests.cli._helpers import run, write

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

COMPOSE = """\
name: shop
services:
  web:
    image: nginx:1.27
    ports: ["80:80"]
    restart: always
  api:
    image: example/api:2
    deploy:
      resources:
        limits: {cpus: "0.5", memory: 600M}
"""


def test_summary_lists_every_resource_in_aligned_columns(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write(tmp_path, {"compose.yaml": COMPOSE})
    result = run(capsys, "convert", "--region", "eu-west-1")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "shop (project layout, eu-west-1)"
    header = next(i for i, line in enumerate(lines) if line.startswith("RESOURCE"))
    table = lines[header : lines.index("", header)]
    assert [line.split("  ")[0] for line in table] == [
        "RESOURCE",
        "task definition",
        "service",
        "iam role",
        "log group",
    ]
    # Columns line up: every row's second column starts where the header's NAME does.
    name_column = table[0].index("NAME")
    assert {line[name_column - 2 : name_column] for line in table} == {"  "}
    assert table[1][name_column:].startswith("shop ")
    assert "web, api" in table[1]
    assert table[3][name_column:].startswith("shop-ecsTaskExecutionRole")
    assert table[4][name_column:].split() == ["/ecs/shop", "eu-west-1,", "never", "expires"]


def test_report_lists_each_key_with_status_and_location(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write(tmp_path, {"compose.yaml": COMPOSE})
    result = run(capsys, "convert", "--region", "eu-west-1")
    report = result.out.split("Conversion report:\n", 1)[1].splitlines()
    restart = "services.web.restart: an ECS service replaces stopped tasks by itself"
    assert f"info: [ignored] compose.yaml:6:5: {restart}" in report
    # Plain text when stdout is not a terminal: no ANSI escapes end up in files and CI logs.
    assert "\x1b[" not in result.out


def test_refusals_are_counted_on_stdout_and_listed_on_stderr(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write(tmp_path, {"compose.yaml": "services:\n  web:\n    image: nginx\n    privileged: true\n"})
    result = run(capsys, "convert", "--region", "eu-west-1")
    assert result.code == 2
    assert "1 problem(s) Fargate would refuse, listed on stderr." in result.out
    assert result.errors == [
        "error: compose.yaml:4:5: services.web.privileged: Fargate does not run privileged containers"
    ]


def test_text_view_does_not_load_rich(tmp_path: Path) -> None:
    # In a process of its own: other tests of the session import rich.
    write(tmp_path, {"compose.yaml": COMPOSE})
    code = (
        "import sys\n"
        "from compose2ecs.cli.main import main\n"
        "try:\n    main(['convert', '--region', 'eu-west-1'])\n"
        "except SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == "[]"
