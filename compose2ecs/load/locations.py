"""Give later stages' problems a file:line:column: they know only the key path they are about."""

from __future__ import annotations

from typing import TYPE_CHECKING

from compose2ecs.errors import InputError, Location, Problem
from compose2ecs.load.yamlfile import compose_nodes, locate_nodes

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    import yaml

    from compose2ecs.errors import Path
    from compose2ecs.load.project import Project, Reader


def locate_problems(problems: Iterable[Problem], project: Project, reader: Reader) -> list[Problem]:
    """Locate each problem in the file its path belongs to.

    Compose problems are searched in every compose file the loader read, so a key from an
    `include`d file points there, and a key a service inherits through `extends` points into the
    base file; a problem that names its file (ecs-params.yml) is searched in that file only. Each
    file is parsed once, however many problems there are.
    """
    trees: dict[str, tuple[yaml.Node, ...] | None] = {}

    def find(file: str, path: Path) -> tuple[Location, int] | None:
        if file not in trees:
            text = project.texts.get(file)
            if text is None:
                try:
                    text = reader.read_text(file)
                except (OSError, InputError):
                    text = None
            trees[file] = compose_nodes(text) if text is not None else None
        return locate_nodes(trees[file], file, path)

    located = []
    for problem in problems:
        if problem.location is not None and problem.location.line:
            located.append(problem)
            continue
        # Included and extended files first: on a tie the project's own (-f) files win, the later
        # one as Compose merges them; another file wins only by spelling out more of the path.
        files = (
            [problem.location.file]
            if problem.location is not None
            else [*(f for f in project.texts if f not in project.files), *project.files]
        )
        best: tuple[Location, int] | None = None
        for file in files:
            found = find(file, problem.path) if problem.path else None
            if found and (best is None or found[1] >= best[1]):
                best = found
        if problem.location is None and (best is None or best[1] < len(problem.path)):
            best = _inherited(project, problem.path, find) or best
        located.append(problem._replace(location=best[0] if best else Location(files[-1])))
    return located


def _inherited(
    project: Project, path: Path, find: Callable[[str, Path], tuple[Location, int] | None]
) -> tuple[Location, int] | None:
    """Where a key that `services.<name>` inherits through `extends` is written in a base file."""
    if len(path) < 3 or path[0] != "services":  # noqa: PLR2004 - services.<name>.<key>
        return None
    rest = path[2:]
    step = next(
        (project.extends[f, str(path[1])] for f in project.texts if (f, str(path[1])) in project.extends),
        None,
    )
    seen: set[tuple[str, str]] = set()
    while step is not None and step not in seen:
        seen.add(step)
        base_file, service = step
        found = find(base_file, ("services", service, *rest))
        if found and found[1] == len(path):
            return found
        step = project.extends.get(step)
    return None
