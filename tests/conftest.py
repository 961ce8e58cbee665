"""Fixtures for every test that talks to AWS: one emulator per session, on 127.0.0.1.

`aws_env` points boto3 at it (AWS_ENDPOINT_URL, fake credentials, us-east-1) and hides the
machine's own AWS settings; the account is shared between tests, which use their own names.
`moto` resets the emulator first, for a test that needs a truly empty account. The emulator
checks every response against botocore's output shapes; the session fails if one did not match.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.emulator import REGION, Emulator, reset, start_emulator

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

# Seconds per emulator step: a deployment completes in about two steps, well inside one poll of
# compose2ecs's wait (6 s), so waits cost one poll and the suite stays quick.
STEP = 0.5


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with start_emulator(step=STEP, validate=True) as server:
        yield server
        found = server.violations()
    assert not found, "responses that do not match botocore's model:\n" + "\n".join(found[:20])


@pytest.fixture(scope="session")
def moto_endpoint(emulator: Emulator) -> str:
    return emulator.endpoint


@pytest.fixture
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No AWS settings from the machine: no profile, no config files, no instance metadata lookups."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # No ecs-cli files either (~/.ecs/config, ~/.ecs/credentials): compose2ecs reads them.
    (tmp_path / "home").mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return monkeypatch


@pytest.fixture
def aws_env(moto_endpoint: str, isolated_env: pytest.MonkeyPatch) -> str:
    """boto3 reaches the emulator through AWS_ENDPOINT_URL, fake credentials and us-east-1."""
    isolated_env.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    isolated_env.setenv("AWS_ACCESS_KEY_ID", "testing")
    isolated_env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    isolated_env.setenv("AWS_DEFAULT_REGION", REGION)
    return moto_endpoint


@pytest.fixture
def moto(aws_env: str) -> str:
    """`aws_env` on an empty account: the emulator is reset first."""
    reset(aws_env)
    return aws_env
