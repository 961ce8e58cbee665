"""Give later stages' problems a file:line:column: they know only the key path they are about."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from compose2ecs.errors import InputError, Location, Problem
from compose2ecs.load.yamlfile import locate

if TYPE_CHECKING:
    from collections.abc import Iterable

    from compose2ecs.load.project import Reader


def locate_problems(problems: Iterable[Problem], compose_files: list[str], reader: Reader) -> list[Problem]:
    """Problems without a file are searched in the compose files (the last file that sets a key wins)."""
    texts: dict[str, str | None] = {}

    def text(file: str) -> str | None:
        if file not in texts:
            try:
                texts[file] = reader.read_text(file)
            except (OSError, InputError):
                texts[file] = None
        return texts[file]

    located = []
    for problem in problems:
        location = problem.location
        if location is not None and location.line:
            located.append(problem)
            continue
        candidates = [location.file] if location is not None else list(reversed(compose_files))
        best: tuple[Location, int] | None = None
        for file in candidates:
            content = text(file)
            found = locate(content, file, problem.path) if content is not None and problem.path else None
            if found is not None and (best is None or found[1] > best[1]):
                best = found
        if best is None and candidates:
            best = (Location(candidates[-1] if location is None else location.file), 0)
        located.append(replace(problem, location=best[0]) if best else problem)
    return located
