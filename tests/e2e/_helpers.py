"""What the end-to-end tests share: a project directory of their own, and names no other test uses."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tests.cli._helpers import write

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

WEB: dict[str, str | bytes] = {
    "docker-compose.yml": "services:\n  web:\n    image: nginx:1.27\n    ports:\n      - '80:80'\n",
}


def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str | bytes]) -> Path:
    """Write `files` under tmp_path/app and work there, with no compose variables from outside."""
    root = write(tmp_path / "app", files)
    monkeypatch.chdir(root)
    for name in ("COMPOSE_FILE", "COMPOSE_PROFILES", "COMPOSE_PROJECT_NAME", "COMPOSE2ECS_CLUSTER"):
        monkeypatch.delenv(name, raising=False)
    return root


def unique(prefix: str) -> str:
    """A name of this test's own: the emulator's account is shared by the whole session."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
