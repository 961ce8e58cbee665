"""Start and stop a moto server on 127.0.0.1, for pytest fixtures, the example script and the benchmarks.

The server runs as a subprocess (`python -m moto.server`), so a script gets a clean process it can
stop, and the test process keeps its GIL to itself. Its environment turns on AWS managed IAM policies
(`MOTO_IAM_LOAD_MANAGED_POLICIES`) and sets `MOTO_ECS_SERVICE_RUNNING`.

How moto 5.2.5 uses MOTO_ECS_SERVICE_RUNNING (moto/ecs/models.py, `Service.__init__` and
`EC2ContainerServiceBackend.update_service`):
- it is read from the *server's* environment at each CreateService only (so with this subprocess
  server it is fixed for the server's lifetime); N = max(int(value), 0), 0 when unset or not a number;
- CreateService sets `runningCount = N` and `pendingCount = desiredCount - N` (negative when
  N > desiredCount), and one PRIMARY deployment with the same counts and `rolloutState` COMPLETED
  when N >= desiredCount, else IN_PROGRESS. The counts never move afterwards on their own;
- UpdateService with `desiredCount` (0 included) sets `runningCount = desiredCount` and
  `pendingCount = 0` at once, whatever N is, but leaves `deployments[0]` untouched (its desired,
  running and pending counts, rolloutState and taskDefinition stay as at creation). UpdateService
  with `taskDefinition` stores the string as sent (not an ARN); `forceNewDeployment` only renews the
  deployment's id and timestamps;
- so a service is steady (runningCount == desiredCount, one deployment, COMPLETED) exactly when it
  was created with desiredCount == N, and after any UpdateService that sets desiredCount.
The default N = 1 makes the tutorial project's service (desiredCount 1) steady right after `up`, and
`scale` (UpdateService desiredCount) steady at once.
"""

from __future__ import annotations

import atexit
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from collections.abc import Iterable

HOST = "127.0.0.1"
REGION = "us-east-1"
# API operations that change something: a no-op `up` must make none of them.
WRITE_PREFIXES = (
    "Create", "Put", "Register", "Update", "Delete", "Deregister", "Attach", "Detach", "Tag", "Untag",
    "Authorize", "Revoke", "Run",
)  # fmt: skip
START_TIMEOUT = 30.0  # seconds; the server answers within 0.5 s on this machine
TASK_MODEL = "ecs::task"


def writes(calls: Iterable[str]) -> list[str]:
    """The write operations among "service:Operation" call names."""
    return sorted(call for call in calls if call.split(":", 1)[1].startswith(WRITE_PREFIXES))


def post(endpoint: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """POST to moto's own API (`/moto-api/...`) and return the JSON answer."""
    data = json.dumps(body).encode() if body is not None else b""
    request = urllib.request.Request(endpoint + path, data=data, method="POST")  # noqa: S310 - local only
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        text = response.read().decode() or "{}"
    answer: dict[str, Any] = json.loads(text)
    return answer


def reset(endpoint: str) -> None:
    """Wipe every resource of the server (transitions set with `set_transition` survive a reset)."""
    post(endpoint, "/moto-api/reset")


def set_transition(
    endpoint: str, model_name: str, progression: str = "manual", times: int = 1_000_000
) -> None:
    """Set how a moto model advances its status, e.g. `ecs::task` one step per N describe calls."""
    post(
        endpoint,
        "/moto-api/state-manager/set-transition",
        {"model_name": model_name, "transition": {"progression": progression, "times": times}},
    )


def keep_tasks_running(endpoint: str) -> None:
    """Tasks stay RUNNING (moto's default moves a task one status further at every DescribeTasks)."""
    set_transition(endpoint, TASK_MODEL, "manual", 1_000_000)


def unset_transition(endpoint: str, model_name: str = TASK_MODEL) -> None:
    post(endpoint, "/moto-api/state-manager/unset-transition", {"model_name": model_name})


@dataclass
class MotoServer:
    """A running moto server; `endpoint` is its base URL."""

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
        self.log.close()

    def reset(self) -> None:
        reset(self.endpoint)

    def set_transition(self, model_name: str, progression: str = "manual", times: int = 1_000_000) -> None:
        set_transition(self.endpoint, model_name, progression, times)

    def keep_tasks_running(self) -> None:
        keep_tasks_running(self.endpoint)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def server_env(service_running: int) -> dict[str, str]:
    env = dict(os.environ)
    env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    env["MOTO_ECS_SERVICE_RUNNING"] = str(service_running)
    return env


def _wait_until_up(server: MotoServer, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(server.endpoint + "/moto-api/", timeout=1):  # noqa: S310
                return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.05)
    return False


def start_moto(port: int = 0, *, service_running: int = 1, timeout: float = START_TIMEOUT) -> MotoServer:
    """Start `python -m moto.server` on 127.0.0.1 (`port` 0 = a free port) and wait until it answers."""
    attempts = 1 if port else 3  # a free port can be taken between the probe and the bind
    log_text = ""
    for _ in range(attempts):
        chosen = port or free_port()
        log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by MotoServer.stop
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(chosen)],
            env=server_env(service_running),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        server = MotoServer(f"http://{HOST}:{chosen}", process, log)
        atexit.register(server.stop)
        if _wait_until_up(server, timeout):
            return server
        log.seek(0)
        log_text = log.read().decode(errors="replace")
        server.stop()
    msg = f"moto server did not start on {HOST}:{port or 'a free port'}\n{log_text}"
    raise RuntimeError(msg)


def main() -> None:
    """`python -m tests.moto_server [PORT]`: run a server until Ctrl-C and print how to use it."""
    server = start_moto(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    server.keep_tasks_running()
    print(f"export AWS_ENDPOINT_URL={server.endpoint}")
    print("export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1")
    try:
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
