"""docs/cli.md is what the commands' help says now (regenerate: `python -m tests.cli_reference`)."""

from __future__ import annotations

from tests.cli_reference import DOC, render


def test_the_cli_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "run `python -m tests.cli_reference` and commit docs/cli.md"
    )


def test_the_reference_lists_every_command_and_global_option() -> None:
    text = render()

    for command in ("config", "convert", "diff", "up", "ps", "logs", "run", "scale", "down", "version"):
        assert f"\n## {command}\n" in text
    for option in (
        "`--aws-profile`",
        "`--profile`",
        "`--file`, `-f`",
        "`--detach`, `-d`",
        "`--follow`, `-f`",
    ):
        assert option in text
