"""Errors as data: every problem knows where it is, what is wrong and how to fix it.

The CLI is the one place that turns these into exit codes (2 for input, 3 for AWS and the rest).
"""

from typing import NamedTuple

# Records are NamedTuples, not frozen dataclasses: defining a frozen dataclass costs ~0.4 ms on
# CPython 3.11 (it compiles each generated method), and `convert` defines dozens before it starts
# work. NamedTuples are immutable and ordered the same way, at a sixth of the cost.


class Location(NamedTuple):
    """A position in an input file; line and column count from 1."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column}" if self.column else f"{self.file}:{self.line}"


Path = tuple[str | int, ...]


def format_path(path: Path) -> str:
    """`("services", "web", "ports", 0)` -> `services.web.ports[0]`, the way users read keys."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class Problem(NamedTuple):
    """One thing wrong with the input. `path` locates it in the model when no line is known yet."""

    message: str
    location: Location | None = None
    path: Path = ()
    code: str = ""
    hint: str = ""
    severity: str = "error"  # error | warning | info
    status: str = ""  # conversion report: mapped | approximated | ignored | rejected

    def render(self) -> str:
        where = f"{self.location}: " if self.location else ""
        key = f"{format_path(self.path)}: " if self.path else ""
        text = f"{where}{key}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class Compose2EcsError(Exception):
    """Base of every error compose2ecs raises on purpose."""


class InputError(Compose2EcsError):
    """The user's files (or flags) are wrong; nothing was sent anywhere. Exit code 2."""

    def __init__(self, problems: list[Problem] | None = None) -> None:
        self.problems = problems if problems is not None else []
        super().__init__("\n".join(p.render() for p in self.problems))

    def __str__(self) -> str:
        return "\n".join(p.render() for p in self.problems)


class UsageError(Compose2EcsError):
    """Flags that do not fit together. Exit code 2."""


class AwsError(Compose2EcsError):
    """An AWS call failed: where, what AWS said, and what to do about it. Exit code 3."""

    def __init__(
        self, operation: str, message: str, code: str = "", resource: str = "", hint: str = ""
    ) -> None:
        self.operation = operation
        self.message = message
        self.code = code
        self.resource = resource
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        target = f" {self.resource}" if self.resource else ""
        code = f"{self.code}: " if self.code else ""
        text = f"{self.operation}{target}: {code}{self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text
