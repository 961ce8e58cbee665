"""Give later stages' problems a file:line:column: they know only the key path they are about."""

from __future__ import annotations

from typing import TYPE_CHECKING

from compose2ecs.errors import InputError, Location, Problem
from compose2ecs.load.yamlfile import locate_in_files

if TYPE_CHECKING:
    from collections.abc import Iterable

    from compose2ecs.load.project import Project, Reader


def locate_problems(problems: Iterable[Problem], project: Project, reader: Reader) -> list[Problem]:
    """Locate each problem in the file its path belongs to.

    Compose problems are searched in every file the loader read, so a key that comes from an
    `include`d or `extends` file points there; a problem that names its file (ecs-params.yml) is
    searched in that file only.
    """
    texts: dict[str, str | None] = dict(project.texts)

    def read(file: str) -> None:
        if file not in texts:
            try:
                texts[file] = reader.read_text(file)
            except (OSError, InputError):
                texts[file] = None

    located = []
    for problem in problems:
        if problem.location is not None and problem.location.line:
            located.append(problem)
            continue
        files = (
            [problem.location.file] if problem.location is not None else list(project.texts) or project.files
        )
        for file in files:
            read(file)
        found = locate_in_files(texts, files, problem.path) if problem.path else None
        located.append(problem._replace(location=found or Location(files[-1])))
    return located
