"""The conversion report: every compose or ecs-params key that did not map one to one."""

from __future__ import annotations

from compose2ecs.errors import Location, Path, Problem

MAPPED, APPROXIMATED, IGNORED, REJECTED = "mapped", "approximated", "ignored", "rejected"
# Keys whose loss changes nothing on Fargate: reported as info, not as warnings.
HARMLESS = frozenset(
    {
        "container_name",
        "restart",
        "profiles",
        "pull_policy",
        "develop",
        "attach",
        "build",
        "networks",
        "label_file",
    }
)


# The top-level keys of ecs-params.yml: a path starting with one of them is about that file.
PARAMS_ROOTS = frozenset({"version", "task_definition", "run_params", "log_retention_days", "tags"})


class Report:
    """Collects problems by key path; the path says which file (compose or ecs-params) they are in.

    Lines and columns are found later, from the path. A problem found once per task (a project-wide
    ecs-params value, say) is recorded once.
    """

    __slots__ = ("params_file", "problems")

    def __init__(self, params_file: str | None = None) -> None:
        self.params_file = params_file
        self.problems: list[Problem] = []

    def add(
        self, path: Path, message: str, status: str, code: str, hint: str = "", *, warn: bool = False
    ) -> None:
        """`warn`: a warning whatever the status (mapped as written, but unsafe)."""
        severity = {REJECTED: "error", APPROXIMATED: "warning", IGNORED: "warning", MAPPED: "info"}[status]
        if status == IGNORED and path and path[-1] in HARMLESS:
            severity = "info"
        if warn and severity == "info":
            severity = "warning"
        location = (
            Location(self.params_file or "ecs-params.yml") if path and path[0] in PARAMS_ROOTS else None
        )
        problem = Problem(message, location, path, code, hint, severity, status)
        if problem not in self.problems:
            self.problems.append(problem)

    def info(self, path: Path, message: str, code: str) -> None:
        """A decision compose2ecs made for the user (a default it chose), not tied to a typed key."""
        self.add(path, message, MAPPED, code)
