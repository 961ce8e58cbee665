"""Give later stages' problems a file:line:column: they know only the key path they are about."""

from __future__ import annotations

import functools
import posixpath
from typing import TYPE_CHECKING, Any

from compose2ecs.errors import InputError, Location, Problem
from compose2ecs.load.yamlfile import YamlError, load_documents, locate, locate_in_files

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from compose2ecs.errors import Path
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
        if problem.location is None and len(problem.path) > 2 and problem.path[0] == "services":  # noqa: PLR2004
            found = _in_extended_file(texts, files, problem.path, read) or found
        located.append(problem._replace(location=found or Location(files[-1])))
    return located


def _in_extended_file(
    texts: Mapping[str, str | None], files: list[str], path: Path, read: Callable[[str], None]
) -> Location | None:
    """Where a key a service inherits through `extends` is written in the base file.

    Only when no file of the project spells the whole path: the service's own files win.
    """
    if any((hit := locate(texts.get(f) or "", f, path)) and hit[1] == len(path) for f in files):
        return None
    service, rest = str(path[1]), path[2:]
    seen: set[tuple[str, str]] = set()
    file = next((f for f in reversed(files) if _extends_of(texts.get(f), f, service)), None)
    while file is not None and (file, service) not in seen:
        seen.add((file, service))
        extends = _extends_of(texts.get(file), file, service)
        if extends is None:
            return None
        base_file, service = extends
        read(base_file)
        hit = locate(texts.get(base_file) or "", base_file, ("services", service, *rest))
        if hit and hit[1] == len(path):
            return hit[0]
        file = base_file
    return None


def _extends_of(text: str | None, file: str, service: str) -> tuple[str, str] | None:
    """(file, service) a service `extends` in this file, as written (no interpolation)."""
    entry = _services_of(text or "", file).get(service)
    extends = entry.get("extends") if isinstance(entry, dict) else None
    if isinstance(extends, str):
        return file, extends
    if isinstance(extends, dict) and isinstance(extends.get("service"), str):
        base = extends.get("file")
        target = posixpath.join(posixpath.dirname(file), base) if isinstance(base, str) else file
        return posixpath.normpath(target), extends["service"]
    return None


@functools.lru_cache(maxsize=16)
def _services_of(text: str, file: str) -> dict[str, Any]:
    # Parsed once per file, however many problems ask about it.
    try:
        documents = load_documents(text, file)
    except YamlError:
        return {}
    services: dict[str, Any] = {}
    for document in documents:
        found = document.data.get("services") if isinstance(document.data, dict) else None
        services.update(found if isinstance(found, dict) else {})
    return services
