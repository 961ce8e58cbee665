"""A local AWS for the tests and the Quick start: moto in server mode, with ECS that deploys.

moto (server mode, over real HTTP on 127.0.0.1) answers every AWS API compose2ecs calls; the
`ecs` module adds what moto lacks and the ECS documentation describes: deployments that roll out
and complete, the tasks they start, a circuit breaker that rolls back, standalone tasks that run
to completion and write their logs, and the service fields moto drops. Test code only: nothing
in `compose2ecs/` imports it. docs/emulator.md says what it simulates and how to inject failures.
"""

from tests.emulator.process import (
    HOST,
    REGION,
    Emulator,
    calls,
    reset,
    start_emulator,
    violations,
    writes,
)

__all__ = ["HOST", "REGION", "Emulator", "calls", "reset", "start_emulator", "violations", "writes"]
