"""Secret-looking values: warned about where they would be stored in plain text, masked in diffs.

Issue 17, item 1 (part): by name (PASSWORD, TOKEN, ...) and by shape (AWS keys, Stripe, GitHub,
Slack, JWTs, PEM keys, passwords in URLs and after a --password flag).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from compose2ecs.model.sensitive import secret_shaped
from compose2ecs.plan.diff import diff_fields
from tests.unit.test_load_balancing import _desired

if TYPE_CHECKING:
    from pathlib import Path

SECRET = "hunter2-very-secret"  # noqa: S105 - a planted value the outputs must not show


def _warned(tmp_path: Path, environment: str) -> list[str]:
    compose = f"services:\n  web:\n    image: nginx\n    environment:\n{environment}"
    desired = _desired(tmp_path, compose)
    found = [p for p in desired.problems if p.code == "plaintext-secret"]
    assert all(p.severity == "warning" for p in found)
    assert all(SECRET not in p.message + p.hint for p in found)  # never the value itself
    return [str(p.path[-1]) for p in found]


def test_a_secret_looking_variable_is_warned_about_without_its_value(tmp_path: Path) -> None:
    environment = (
        f"      POSTGRES_PASSWORD: {SECRET}\n"
        "      SESSION_TIMEOUT: '3600'\n"
        "      FEATURE_KEY_ENABLED: 'true'\n"
        "      STRIPE: sk_live_4eC39HqLyjWDarjtT1zdp7dc\n"
        "      GREETING: hello\n"
    )
    assert _warned(tmp_path, environment) == ["POSTGRES_PASSWORD", "STRIPE"]


@pytest.mark.parametrize(
    "value",
    [
        "AKIAIOSFODNN7EXAMPLE",
        "ghp_" + "a1" * 18,
        "github_pat_11ABCDEFG0123456789_abcdefghij",
        "xoxb-1234567890-abcdefghij",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "postgres://app:pw@db:5432/app",
        '["server", "--db-password", "x"]',
    ],
)
def test_credential_shapes_are_secret_whatever_their_name(value: str) -> None:
    assert secret_shaped(value)


@pytest.mark.parametrize("value", ["nginx:1.27", '["npm", "start", "--port", "80"]', "http://db:5432/app"])
def test_ordinary_values_are_not(value: str) -> None:
    assert not secret_shaped(value)


def test_a_command_argument_after_a_password_flag_is_masked_in_a_diff() -> None:
    before = {"command": ["server", "--db-password", "old"]}
    after = {"command": ["server", "--db-password", SECRET]}
    [change] = diff_fields(before, after)
    assert change.sensitive
