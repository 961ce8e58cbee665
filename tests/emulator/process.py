"""Start and stop the emulator as a subprocess, for pytest fixtures, scripts and benchmarks.

A process of its own gives a script something it can stop, and leaves the test process its GIL.
"""

from __future__ import annotations

import atexit
import json
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from collections.abc import Iterable

HOST = "127.0.0.1"
REGION = "us-east-1"
REPO = Path(__file__).resolve().parents[2]
# API operations that change something: a no-op `up` must make none of them.
WRITE_PREFIXES = (
    "Create", "Put", "Register", "Update", "Delete", "Deregister", "Attach", "Detach", "Tag", "Untag",
    "Authorize", "Revoke", "Run", "Stop", "Modify", "Add", "Remove", "Set",
)  # fmt: skip
START_TIMEOUT = 60.0  # seconds; the server answers within about a second on this machine


def writes(calls: Iterable[str]) -> list[str]:
    """The write operations among "service:Operation" call names."""
    return sorted(call for call in calls if call.split(":", 1)[1].startswith(WRITE_PREFIXES))


def _request(endpoint: str, path: str, body: dict[str, Any] | None = None, method: str = "POST") -> Any:
    data = json.dumps(body).encode() if body is not None else b""
    request = urllib.request.Request(endpoint + path, data=data if method == "POST" else None, method=method)  # noqa: S310 - local only
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        text = response.read().decode() or "{}"
    return json.loads(text)


def reset(endpoint: str) -> None:
    """Wipe every resource of the emulator (moto's reset; the simulation is reset with it)."""
    _request(endpoint, "/moto-api/reset")


def violations(endpoint: str, *, clear: bool = False) -> list[str]:
    """The responses that did not match botocore's output shapes (the emulator's `--validate`)."""
    found: list[str] = _request(endpoint, "/emulator/violations", method="GET")
    if clear:
        _request(endpoint, "/emulator/violations/clear")
    return found


def calls(endpoint: str, *, clear: bool = False) -> list[str]:
    """ "service:Operation" of every AWS request the emulator answered since the last clear."""
    found: list[str] = _request(endpoint, "/emulator/calls", method="GET")
    if clear:
        _request(endpoint, "/emulator/calls/clear")
    return found


def access_keys(endpoint: str) -> list[str]:
    """The access key ids the emulator's requests were signed with, since it started."""
    found: list[str] = _request(endpoint, "/emulator/access-keys", method="GET")
    return found


@dataclass
class Emulator:
    """A running emulator; `endpoint` is its base URL."""

    endpoint: str
    process: subprocess.Popen[bytes]
    log: IO[bytes] = field(repr=False)

    def stop(self) -> None:
        """Stop the server (idempotent)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self.log.closed:
            self.log.close()

    def reset(self) -> None:
        reset(self.endpoint)

    def violations(self, *, clear: bool = False) -> list[str]:
        return violations(self.endpoint, clear=clear)

    def calls(self, *, clear: bool = False) -> list[str]:
        return calls(self.endpoint, clear=clear)

    def output(self) -> str:
        if self.log.closed:
            return ""
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def start_emulator(
    port: int = 0,
    *,
    step: float = 1.0,
    latency_ms: float = 0.0,
    validate: bool = True,
    timeout: float = START_TIMEOUT,
) -> Emulator:
    """Start `python -m tests.emulator.server` on 127.0.0.1 (`port` 0: a free port) and wait for it."""
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by Emulator.stop
    argv = [sys.executable, "-m", "tests.emulator.server", str(port), "--step", str(step)]
    argv += ["--latency-ms", str(latency_ms)] + (["--validate"] if validate else [])
    process = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=log)
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    line = b""
    # The server binds first, then prints "listening HOST PORT": no race for a free port.
    while time.monotonic() < deadline and process.poll() is None:
        line = process.stdout.readline()
        if line.startswith(b"listening"):
            break
    if not line.startswith(b"listening"):
        process.kill()
        process.wait()
        log.seek(0)
        msg = f"the emulator did not start on {HOST}\n{log.read().decode(errors='replace')}"
        log.close()
        raise RuntimeError(msg)
    chosen = int(line.split()[2])
    emulator = Emulator(f"http://{HOST}:{chosen}", process, log)
    atexit.register(emulator.stop)
    _wait_until_up(emulator.endpoint, deadline)
    return emulator


def _wait_until_up(endpoint: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(endpoint + "/emulator/settings", timeout=1):  # noqa: S310
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.05)
