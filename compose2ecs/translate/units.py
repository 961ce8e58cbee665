"""Unit conversions from the canonical compose model (Go durations, byte counts) to ECS units."""

from __future__ import annotations

import math
import re
from typing import Any

MIB = 1024 * 1024
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_NANOS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 10**9, "m": 60 * 10**9}
_NANOS["h"] = 3600 * 10**9


def duration_nanos(text: str) -> int | None:
    """A Go duration ("1m30s", "1.5s", "500ms") in nanoseconds; None when it is not one."""
    text = text.strip()
    if text in {"0", ""}:
        return 0
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    pos, total = 0, 0.0
    while pos < len(body):
        match = _DURATION_PART.match(body, pos)
        if not match:
            return None
        total += float(match.group(1)) * _NANOS[match.group(2)]
        pos = match.end()
    return sign * round(total)


def seconds_up(value: Any) -> tuple[int, bool] | None:
    """Whole seconds, rounded up, and whether rounding changed the value (ECS has no sub-seconds)."""
    nanos = duration_nanos(str(value)) if not isinstance(value, int) else value * 10**9
    if nanos is None:
        return None
    seconds = math.ceil(nanos / 10**9)
    return seconds, seconds * 10**9 != nanos


def mib_floor(value: Any) -> int | None:
    """A byte count (int or digit string) in whole MiB, rounded down as ecs-cli did."""
    try:
        return int(str(value)) // MIB
    except ValueError:
        return None


def cpu_units(cpus: Any) -> int | None:
    """Compose `cpus` (a float number of CPUs) in ECS CPU units (1 vCPU = 1024)."""
    try:
        return round(float(cpus) * 1024)
    except (TypeError, ValueError):
        return None
