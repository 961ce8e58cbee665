"""go-yaml's scalar rules as Docker Compose v2.40.3 applies them (checked against the binary)."""

from __future__ import annotations

import pytest

from compose2ecs.load.yamlfile import Timestamp, load_plain


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-01", "2024-01-01T00:00:00Z"),
        ("2024-1-1", "2024-01-01T00:00:00Z"),
        ("2024-01-01 10:00:00", "2024-01-01T10:00:00Z"),
        ("2024-01-01 10:00:00.000", "2024-01-01T10:00:00Z"),
        ("2024-12-01T10:00:00.1234567891Z", "2024-12-01T10:00:00.123456789Z"),
        ("2024-12-01T10:00:00+00:00", "2024-12-01T10:00:00Z"),
        ("2024-12-01T1:2:3Z", "2024-12-01T01:02:03Z"),
        ("2001-12-14t21:59:43.10-05:00", "2001-12-14T21:59:43.1-05:00"),
        ("2024-02-29", "2024-02-29T00:00:00Z"),
        ("0000-01-01", "0000-01-01T00:00:00Z"),
        ("!!timestamp 2024-01-01", "2024-01-01T00:00:00Z"),
    ],
)
def test_unquoted_timestamps(text: str, expected: str) -> None:
    assert load_plain(f"x: {text}\n", "f.yaml") == {"x": Timestamp(expected)}


@pytest.mark.parametrize(
    "text",
    [
        "2024-02-30",
        "2023-02-29",
        "2024-12-01T10:00:00",
        "12024-01-01",
        "2024-01-01x",
        "2024-01-01T25:00:00Z",
        "2001-12-14 21:59:43.10 -5",
        "'2024-01-01'",
    ],
)
def test_strings_that_are_not_timestamps(text: str) -> None:
    assert load_plain(f"x: {text}\n", "f.yaml") == {"x": text.strip("'")}
