"""Scalars the way Compose's Go code reads and prints them: durations, byte sizes, fmt.Sprint.

Shared by `load` (which reads them as Compose does) and `translate` (which turns them into ECS units).
"""

from __future__ import annotations

import math
import re
from typing import Any

_DURATION_UNITS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "μs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
# Patterns as strings: compiled on first use (the re module caches them), not at every start-up.
_DURATION_PART = r"([0-9]*(?:\.[0-9]*)?)([a-zµμ]+)"
_SECOND = 1_000_000_000
_BYTES_RE = r"(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?"
_BYTE_UNITS = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}


def go_float(value: float) -> str:
    """fmt.Sprint of a float64: shortest digits, exponent form below 1e-4 and from 1e6 (`1e+06`)."""
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    if value == 0:
        return "0"
    digits, exponent = _shortest(value)
    if exponent < -4 or exponent >= 6:  # noqa: PLR2004 - Go's %v threshold for shortest floats
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        sign = "-" if exponent < 0 else "+"
        return f"{'-' if value < 0 else ''}{mantissa}e{sign}{abs(exponent):02d}"
    text = repr(abs(value))
    if "e" in text:
        text = format(abs(value), "f")
    text = text.removesuffix(".0")
    return ("-" if value < 0 else "") + text


def _shortest(value: float) -> tuple[str, int]:
    # repr() gives the shortest round-trip digits; normalise them to d.ddd form.
    text = repr(abs(value))
    if "e" in text:
        head, _, tail = text.partition("e")
        digits = head.replace(".", "").lstrip("0") or "0"
        exponent = int(tail) + (len(head.split(".")[0]) - 1 if "." in head else len(head) - 1)
        return digits.rstrip("0") or "0", exponent
    int_part, _, frac = text.partition(".")
    frac = frac.rstrip("0") if frac != "0" else ""
    if int_part != "0":
        return (int_part + frac).rstrip("0") or "0", len(int_part) - 1
    stripped = frac.lstrip("0")
    return stripped, -(len(frac) - len(stripped)) - 1


def go_sprint(value: Any) -> str:
    """fmt.Sprint of a decoded YAML scalar (Compose's way of turning `KEY: 1` into "1")."""
    if value is None:
        return "<nil>"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return go_float(value)
    return str(value)


def parse_duration(text: str) -> int:
    """time.ParseDuration in nanoseconds; ValueError with Go's wording on bad input."""
    original = text
    sign = 1
    if text and text[0] in "+-":
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    if text == "0":
        return 0
    if not text:
        raise ValueError(f'time: invalid duration "{original}"')
    total = 0.0
    pos = 0
    while pos < len(text):
        match = re.compile(_DURATION_PART).match(text, pos)
        if not match or match.group(1) in ("", "."):
            raise ValueError(f'time: invalid duration "{original}"')
        unit = match.group(2)
        if unit not in _DURATION_UNITS:
            raise ValueError(f'time: unknown unit "{unit}" in duration "{original}"')
        total += float(match.group(1)) * _DURATION_UNITS[unit]
        pos = match.end()
    return sign * round(total)


def format_duration(nanos: int) -> str:
    """time.Duration.String(): 90s -> "1m30s", 1h -> "1h0m0s", 1500ms -> "1.5s"."""
    if nanos == 0:
        return "0s"
    sign = "-" if nanos < 0 else ""
    nanos = abs(nanos)
    if nanos < _SECOND:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if nanos >= size:
                return sign + _fraction(nanos, size) + unit
    hours, rest = divmod(nanos, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    seconds = _fraction(rest, 1_000_000_000) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{seconds}"
    if minutes:
        return f"{sign}{minutes}m{seconds}"
    return sign + seconds


def _fraction(value: int, unit: int) -> str:
    whole, frac = divmod(value, unit)
    if not frac:
        return str(whole)
    width = len(str(unit)) - 1
    return f"{whole}.{str(frac).rjust(width, '0').rstrip('0')}"


def parse_bytes(value: Any) -> int:
    """go-units RAMInBytes: "512m" -> 536870912 (binary multiples); numbers pass through."""
    if isinstance(value, bool):
        raise ValueError(f"invalid size: {value!r}")  # noqa: TRY004 - callers report bad sizes as values
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    match = re.fullmatch(_BYTES_RE, str(value))
    if not match:
        raise ValueError(f"invalid size: '{value}'")
    number = float(match.group(1)) if match.group(1).count(".") <= 1 else None
    if number is None:
        raise ValueError(f"invalid size: '{value}'")
    unit = (match.group(2) or "").lower()
    return int(number * _BYTE_UNITS.get(unit, 1))
