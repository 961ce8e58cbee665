"""From the canonical compose model (Go durations, byte counts, CPU counts) to ECS units."""

from __future__ import annotations

import math
from typing import Any

from compose2ecs.values import parse_bytes, parse_duration

MIB = 1024 * 1024
_SECOND = 1_000_000_000


def seconds_up(duration: str) -> tuple[int, bool]:
    """Whole seconds, rounded up, and whether rounding changed the value (ECS has no sub-seconds)."""
    nanos = parse_duration(duration)
    seconds = math.ceil(nanos / _SECOND)
    return seconds, seconds * _SECOND != nanos


def mib(size: Any) -> int:
    """A byte size in whole MiB, rounded down as ecs-cli did."""
    return parse_bytes(size) // MIB


def cpu_units(cpus: Any) -> int:
    """Compose `cpus` (a number of CPUs) in ECS CPU units (1 vCPU = 1024)."""
    return round(float(cpus) * 1024)
