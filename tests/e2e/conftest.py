"""The end-to-end tests talk HTTP to a moto server on 127.0.0.1, started once for the session."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.moto_server import reset, start_moto

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

REGION = "us-east-1"


@pytest.fixture(scope="session")
def moto_server_endpoint() -> Iterator[str]:
    with start_moto() as server:
        server.keep_tasks_running()
        yield server.endpoint


@pytest.fixture
def emulator(moto_server_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """An empty emulated account, reached only through AWS_ENDPOINT_URL with fake credentials."""
    reset(moto_server_endpoint)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_SESSION_TOKEN", "COMPOSE_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("COMPOSE2ECS_CLUSTER", raising=False)
    return moto_server_endpoint
