"""An endpoint that accepts connections and never answers: exit 3 within the documented bound, saying so."""

from __future__ import annotations

import socket
import threading
import time
from typing import TYPE_CHECKING

from tests.e2e._helpers import project
from tests.e2e.test_cli_grammar import compose2ecs

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

import pytest

BOUND = 60.0  # seconds: docs/commands.md, "Networks that fail"


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            held.append(connection)  # never read, never answered

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


def test_diff_against_a_silent_endpoint_exits_3_within_the_bound_and_says_it_retries(
    silent_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": "services:\n  web:\n    image: nginx\n"})
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL", silent_endpoint)
    started = time.monotonic()

    result = compose2ecs("--region", "us-east-1", "diff", cwd=root)

    elapsed = time.monotonic() - started
    assert result.returncode == 3, result.stdout + result.stderr
    assert elapsed < BOUND, elapsed
    assert "retrying " in result.stderr
    assert "attempt 2 of 4: no answer" in result.stderr
    assert "did not answer" in result.stderr
