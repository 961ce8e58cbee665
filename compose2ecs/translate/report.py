"""The conversion report: every compose or ecs-params key that did not map one to one."""

from __future__ import annotations

from dataclasses import dataclass, field

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


@dataclass
class Report:
    """Collects problems; compose ones are located later (by path), ecs-params ones carry their file."""

    params_file: str | None = None
    problems: list[Problem] = field(default_factory=list)

    def _add(
        self, location: Location | None, path: Path, message: str, status: str, code: str, hint: str
    ) -> None:
        severity = {REJECTED: "error", APPROXIMATED: "warning", IGNORED: "warning", MAPPED: "info"}[status]
        if status == IGNORED and path and path[-1] in HARMLESS:
            severity = "info"
        self.problems.append(Problem(message, location, path, code, hint, severity, status))

    def compose(self, path: Path, message: str, status: str, code: str, hint: str = "") -> None:
        self._add(None, path, message, status, code, hint)

    def params(self, path: Path, message: str, status: str, code: str, hint: str = "") -> None:
        self._add(Location(self.params_file or "ecs-params.yml"), path, message, status, code, hint)

    def info(self, path: Path, message: str, code: str) -> None:
        """A decision compose2ecs made for the user (defaults it chose), not tied to a typed key."""
        self.problems.append(Problem(message, None, path, code, "", "info", MAPPED))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]
