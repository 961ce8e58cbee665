"""Every `compose2ecs ...` example in the README and docs/ is a command line compose2ecs accepts,
spelled the new way (issue 11): options that belong before the command are given there.

Each example is parsed by the real command line (the app's own options, arguments and ecs-cli
translation) without running it; tests/e2e run the commands themselves.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer
from typer._click.core import ParameterSource

from compose2ecs.cli.ecs_cli import translate
from compose2ecs.cli.main import app
from compose2ecs.cli.options import AFTER_PANEL

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
GENERATED = {"cli.md"}  # the reference prints usage patterns, not examples
_FENCE = re.compile(r"^```(\w*)\s*$")


def examples() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        if doc.name in GENERATED:
            continue
        inside = False
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            if _FENCE.match(line):
                inside = not inside
                continue
            text = line.strip().removeprefix("$ ")
            if inside and text.startswith("compose2ecs "):
                # `   # a comment` after the command, as the examples write it
                found.append((f"{doc.relative_to(ROOT)}:{number}", re.split(r"\s{2,}#", text)[0].strip()))
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            found.extend(
                (f"{doc.relative_to(ROOT)}:{number}", inline)
                for inline in re.findall(r"`(compose2ecs [^`]+)`", line)
                if "[OPTIONS]" not in inline and "..." not in inline
            )
    return found


def _parse(argv: list[str], home: Path) -> None:
    """Parse like `compose2ecs ARGV` would, without running: raises on a wrong option or argument."""
    ecs_cli = argv[:1] == ["compose"] or "--task-id" in argv
    translated = translate(argv, {"HOME": str(home)}) if ecs_cli else None
    if translated is not None:
        argv = translated.argv
    root = typer.main.get_command(app)
    with root.make_context("compose2ecs", list(argv)) as context:
        rest = [*context._protected_args, *context.args]
        if not rest:
            return
        command = root.get_command(context, rest[0])  # type: ignore[attr-defined]
        assert command is not None, f"no such command {rest[0]}"
        with command.make_context(rest[0], rest[1:], parent=context) as sub:
            late = [
                p.opts[0]
                for p in command.params
                if getattr(p, "rich_help_panel", None) == AFTER_PANEL
                and p.name is not None
                and sub.get_parameter_source(p.name) is ParameterSource.COMMANDLINE
            ]
            assert not late, f"{', '.join(late)} after the command: give it before the command"


CASES = examples()


def test_the_docs_have_examples_to_check() -> None:
    assert len(CASES) > 40


@pytest.mark.parametrize(("where", "line"), CASES, ids=[w for w, _ in CASES])
def test_each_example_is_accepted_and_spelled_the_new_way(where: str, line: str, tmp_path: Path) -> None:
    # The ecs-cli examples name the tutorial's `ecs-cli configure` entries.
    (tmp_path / ".ecs").mkdir()
    (tmp_path / ".ecs" / "config").write_text(
        "version: v1\ndefault: tutorial\nclusters:\n  tutorial: {cluster: tutorial, region: us-west-2}\n"
    )
    (tmp_path / ".ecs" / "credentials").write_text(
        "version: v1\necs_profiles:\n  tutorial-profile: {aws_access_key_id: A, aws_secret_access_key: S}\n"
    )
    argv = shlex.split(line)[1:]
    code = 0
    try:
        _parse(argv, tmp_path)
    except (typer.Exit, SystemExit) as done:  # --version and the like end parsing early
        code = int(getattr(done, "exit_code", getattr(done, "code", 0)) or 0)
    assert code == 0, where


@pytest.mark.parametrize(
    "line",
    [
        "compose2ecs up -f a.yml",
        "compose2ecs diff --cluster prod",
        "compose2ecs up --no-such-flag",
        "compose2ecs frobnicate",
    ],
)
def test_an_old_spelling_or_a_wrong_option_is_caught(line: str, tmp_path: Path) -> None:
    with pytest.raises(Exception):  # noqa: B017 - an assertion, or click's usage error
        _parse(shlex.split(line)[1:], tmp_path)
