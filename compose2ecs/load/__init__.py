"""Stage 1, `load`: compose files (+ .env, env files) -> the canonical project model.

Input: file names, flags and the process environment. Output: `Project`, whose `model` has
exactly the shape `docker compose config --format json` prints. Every problem found is raised
at once as `InputError`, each with file, line and column. `project.py` is the only module here
that reads files; the others are pure functions over strings and dicts.
"""

from typing import Any

from compose2ecs.load.ecs_params import load_ecs_params
from compose2ecs.load.locations import locate_problems
from compose2ecs.load.project import Project, ProjectOptions, Reader, config_json_escape, load_project
from compose2ecs.load.role_policy import load_trust_policy


def config_output(project: Project) -> dict[str, Any]:
    """The document `config` prints: the model with `$` escaped as Compose does."""
    escaped: dict[str, Any] = config_json_escape(project.model)
    return escaped


__all__ = [
    "Project",
    "ProjectOptions",
    "Reader",
    "config_output",
    "load_ecs_params",
    "load_project",
    "load_trust_policy",
    "locate_problems",
]
