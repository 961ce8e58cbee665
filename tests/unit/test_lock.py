"""The deployment lock (apply/lock.py) on the in-memory gateway, with a clock of its own."""

from __future__ import annotations

import json

import pytest

from compose2ecs.apply.lock import deployment_lock, lock_name
from compose2ecs.errors import AwsError
from compose2ecs.model import Owner
from tests.fakes import InMemoryGateway

OWNER = Owner("shop", "prod", "us-east-1")
NAME = lock_name(OWNER)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _holder(gateway: InMemoryGateway) -> str:
    return str(json.loads(gateway.locks[NAME])["token"])


def _held_by(gateway: InMemoryGateway, token: str, expires: float) -> None:
    gateway.locks[NAME] = json.dumps({"token": token, "who": "ci@runner", "since": 0, "expires": expires})


def test_the_lock_is_held_for_the_block_and_released_after() -> None:
    gateway, clock = InMemoryGateway(), Clock()
    told: list[str] = []

    with deployment_lock(gateway, OWNER, hold_for=60, wait_for=0, notify=told.append, clock=clock):
        held = json.loads(gateway.locks[NAME])
        assert held["expires"] == clock.now + 60 + 300

    assert NAME not in gateway.locks
    assert told == []
    assert NAME == "/compose2ecs/lock/shop/prod"


def test_a_held_lock_fails_fast_with_its_holder_and_is_left_alone() -> None:
    gateway, clock = InMemoryGateway(), Clock()
    told: list[str] = []
    _held_by(gateway, "other", clock.now + 100)

    with (
        pytest.raises(AwsError) as caught,
        deployment_lock(gateway, OWNER, hold_for=60, wait_for=0, notify=told.append, clock=clock),
    ):
        pytest.fail("the block must not run")

    assert caught.value.code == "Locked"
    assert "ci@runner" in str(caught.value)
    assert _holder(gateway) == "other"


def test_a_second_run_waits_until_the_lock_is_released() -> None:
    gateway, clock = InMemoryGateway(), Clock()
    told: list[str] = []
    _held_by(gateway, "other", clock.now + 100)
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.sleep(seconds)
        if len(sleeps) == 3:
            del gateway.locks[NAME]  # the other run is done

    with deployment_lock(
        gateway, OWNER, hold_for=60, wait_for=120, notify=told.append, clock=clock, sleep=sleep
    ):
        assert _holder(gateway) != "other"

    assert told == [told[0]]
    assert told[0].startswith("waiting for the lock held by ci@runner")
    assert sleeps == [5.0, 5.0, 5.0]


def test_a_lock_left_by_a_killed_run_expires_and_is_taken_over() -> None:
    gateway, clock = InMemoryGateway(), Clock()
    told: list[str] = []
    _held_by(gateway, "killed", clock.now - 1)

    with deployment_lock(gateway, OWNER, hold_for=60, wait_for=0, notify=told.append, clock=clock):
        assert _holder(gateway) != "killed"

    assert told == ["taking over the lock of ci@runner since 1970-01-01 00:00:00 UTC: it expired"]


def test_a_lock_taken_over_meanwhile_is_not_released_by_its_former_holder() -> None:
    gateway, clock = InMemoryGateway(), Clock()

    with deployment_lock(gateway, OWNER, hold_for=60, wait_for=0, notify=print, clock=clock):
        _held_by(gateway, "newer", clock.now + 500)

    assert _holder(gateway) == "newer"
