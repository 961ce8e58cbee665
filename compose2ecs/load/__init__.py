"""Stage 1, `load`: compose files (+ .env, env files) -> the canonical project model.

Input: file names, flags and the process environment. Output: `Project`, whose `model` has
exactly the shape `docker compose config --format json` prints. Every problem found is raised
at once as `InputError`, each with file, line and column. `project.py` is the only module here
that reads files; the others are pure functions over strings and dicts. `ecs_params` and
`role_policy` read ecs-params.yml and the trust policy; they are imported from their modules, so
that `config` does not pay for them.
"""

from typing import Any

from compose2ecs.errors import InputError
from compose2ecs.load.locations import locate_problems
from compose2ecs.load.project import (
    Project,
    ProjectOptions,
    Reader,
    config_json_escape,
    discover_files,
    is_follow_on,
    json_output_problems,
    load_project,
    load_project_leniently,
)


def config_output(project: Project, output_format: str = "yaml") -> dict[str, Any]:
    """The document `config --format FORMAT` prints: the model with `$` escaped as Compose does.

    With "json", InputError for what Docker Compose v2.40.3 fails to print as JSON.
    """
    if output_format == "json":
        problems = json_output_problems(project)
        if problems:
            raise InputError(problems)
    escaped: dict[str, Any] = config_json_escape(project.model)
    return escaped


__all__ = [
    "Project",
    "ProjectOptions",
    "Reader",
    "config_output",
    "discover_files",
    "is_follow_on",
    "load_project",
    "load_project_leniently",
    "locate_problems",
]
