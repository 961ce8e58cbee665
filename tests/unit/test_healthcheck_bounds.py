"""Compose health checks outside ECS's ranges are brought inside them (issue 13, item 5).

Docker calls a container unhealthy after `retries` failed probes `interval` apart; the
approximation keeps that time as close as ECS's ranges allow, and says so in the report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.unit.test_load_balancing import _desired

if TYPE_CHECKING:
    from pathlib import Path


def _check(tmp_path: Path, settings: str) -> tuple[dict[str, Any], list[str]]:
    compose = "services:\n  db:\n    image: postgres:16\n    healthcheck:\n      test: [CMD, pg_isready]\n"
    compose += "".join(f"      {line}\n" for line in settings.split(";") if line)
    desired = _desired(tmp_path, compose)
    [container] = desired.task_definitions[0]["containerDefinitions"]
    found = [p for p in desired.problems if p.code == "healthcheck-bounds"]
    assert all(p.status == "approximated" for p in found)
    return container["healthCheck"], [p.message for p in found]


@pytest.mark.parametrize(
    ("settings", "expected", "unhealthy"),
    [
        ("interval: 3s;retries: 20", {"interval": 6, "retries": 10}, 60),  # a minute, as in compose
        ("interval: 1s;retries: 5", {"interval": 5, "retries": 5}, 25),  # the retries kept, 5 s apart
        ("retries: 30", {"interval": 90, "retries": 10}, 900),  # Docker's 30 s interval, 15 minutes
        ("interval: 10m", {"interval": 300, "retries": 6}, 1800),  # 3 probes of 10 minutes
        ("interval: 5s;retries: 12", {"interval": 6, "retries": 10}, 60),
    ],
)
def test_interval_and_retries_keep_the_time_to_unhealthy(
    tmp_path: Path, settings: str, expected: dict[str, int], unhealthy: int
) -> None:
    check, [message] = _check(tmp_path, settings)

    assert {k: check[k] for k in expected} == expected
    assert f"a failing container is unhealthy after {unhealthy} s" in message


def test_timeout_and_start_period_are_clamped(tmp_path: Path) -> None:
    check, [message] = _check(tmp_path, "timeout: 90s;start_period: 10m")

    assert (check["timeout"], check["startPeriod"]) == (60, 300)
    assert message.startswith("timeout 90s, start_period 600s are outside ECS's ranges")


def test_a_health_check_inside_the_ranges_is_kept_and_not_reported(tmp_path: Path) -> None:
    check, messages = _check(tmp_path, "interval: 10s;retries: 5;timeout: 3s")

    assert (check["interval"], check["retries"], check["timeout"]) == (10, 5, 3)
    assert messages == []


def test_docker_zero_means_the_default_and_is_left_to_ecs(tmp_path: Path) -> None:
    check, messages = _check(tmp_path, "interval: 0s;timeout: 0s;retries: 0")

    assert {"interval", "timeout", "retries"} & check.keys() == set()  # ECS's defaults, as Docker's
    assert messages == []
