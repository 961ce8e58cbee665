from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test runs in its own directory with an environment that says nothing about Compose."""
    for key in list(os.environ):
        if key not in {"PATH", "SYSTEMROOT", "TMPDIR"}:
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", "/nonexistent-home")
    monkeypatch.chdir(tmp_path)
    return tmp_path
