"""docs/cli.md, generated from the commands' own help, so that the reference cannot drift.

`python -m tests.cli_reference` writes it; tests/cli/test_cli_reference.py fails when it is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from compose2ecs.cli.main import app
from compose2ecs.cli.options import AFTER_PANEL

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"

HEADER = """# Command reference

Generated from `compose2ecs --help` and each command's `--help` by `python -m tests.cli_reference`
(a test fails when it is stale). How the commands work: [commands.md](commands.md); moving from
ecs-cli: [ecs-cli.md](ecs-cli.md).

## Shell completion

`compose2ecs --install-completion` installs completion for the current shell (bash, zsh, fish or
PowerShell); `compose2ecs --show-completion` prints the script instead, to install by hand, e.g.
`compose2ecs --show-completion bash > ~/.local/share/bash-completion/completions/compose2ecs`.
"""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _option_rows(params: list[Any]) -> list[str]:
    rows = []
    for param in params:
        if getattr(param, "hidden", False) or param.param_type_name == "argument":
            continue
        names = ", ".join(f"`{n}`" for n in [*param.opts, *param.secondary_opts])
        after = (
            " (also accepted after the command; deprecated there)"
            if getattr(param, "rich_help_panel", None) == AFTER_PANEL
            else ""
        )
        rows.append(f"| {names} | {_cell((param.help or '') + after)} |")
    return rows


def render() -> str:
    root = typer.main.get_command(app)
    context = typer.Context(root, info_name="compose2ecs")
    parts = [HEADER, "## Options before the command", "", "| option | meaning |", "|---|---|"]
    parts += _option_rows(root.params)
    for name in root.list_commands(context):  # type: ignore[attr-defined]
        command = root.get_command(context, name)  # type: ignore[attr-defined]
        arguments = " ".join(
            f"[{p.name.upper()}...]" if p.nargs == -1 else p.name.upper()
            for p in command.params
            if p.param_type_name == "argument"
        )
        usage = f"compose2ecs [OPTIONS] {name} [OPTIONS] {arguments}".strip()
        parts += ["", f"## {name}", "", f"`{usage}`"]
        parts += ["", (command.help or "").strip()]
        own = [p for p in command.params if getattr(p, "rich_help_panel", None) != AFTER_PANEL]
        rows = _option_rows(own)
        if rows:
            parts += ["", "| option | meaning |", "|---|---|", *rows]
        shared = [p for p in command.params if getattr(p, "rich_help_panel", None) == AFTER_PANEL]
        if shared:
            names = ", ".join(f"`{p.opts[0]}`" for p in shared if not getattr(p, "hidden", False))
            parts += ["", f"Also accepted after the command (deprecated there): {names}."]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    DOC.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {DOC}\n")
