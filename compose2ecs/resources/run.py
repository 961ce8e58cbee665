"""What every apply step shares: the options, the progress sink, the write log and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable

    from compose2ecs.resources.gateway import Gateway


@dataclass(frozen=True)
class ApplyOptions:
    cluster: str
    wait: bool = True
    timeout: float = 900.0  # seconds, for each wait on the services
    poll_interval: float = 6.0
    force_replace: bool = False
    remove_orphans: bool = False
    force_new_deployment: bool = False


class Progress(Protocol):
    """Where apply reports what it does; the CLI renders it, tests record it."""

    def step(self, message: str) -> None: ...

    def service(self, name: str, service: dict[str, Any], new_events: list[dict[str, Any]]) -> None: ...


@dataclass
class ApplyResult:
    writes: list[str] = field(default_factory=list)  # "create_role web-execution", in order
    task_definition_arns: dict[str, str] = field(default_factory=dict)  # family -> ARN the services run
    load_balancers: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> entry, after the run


@dataclass
class Run:
    """One apply (or scale, or down) in progress."""

    gateway: Gateway
    options: ApplyOptions
    progress: Progress
    clock: Callable[[], float]
    sleep: Callable[[float], None]
    writes: list[str] = field(default_factory=list)

    def wrote(self, operation: str, target: str, message: str) -> None:
        """Record a write that AWS accepted, and tell the user."""
        self.writes.append(f"{operation} {target}")
        self.progress.step(message)


def live_service(service: dict[str, Any] | None) -> dict[str, Any] | None:
    """The service, unless it is gone: DescribeServices returns deleted ones for a while, INACTIVE."""
    return None if service is None or service.get("status") == "INACTIVE" else service
