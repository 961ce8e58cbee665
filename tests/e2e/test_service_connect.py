"""Service Connect in the service layout (issue 10, item 10), through the CLI against the emulator."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3

from tests.cli._helpers import run
from tests.e2e._helpers import project, unique

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

API = "  api:\n    image: nginx:1.27\n    expose:\n      - '8080'\n"
WORKER = "  worker:\n    image: busybox:1.36\n    command: ['sleep', '3600']\n"
CACHE = "  cache:\n    image: redis:7\n    expose:\n      - '6379'\n"


def _service(cluster: str, name: str) -> dict[str, Any]:
    found = boto3.client("ecs").describe_services(cluster=cluster, services=[name])["services"]
    return dict(found[0])


def test_servers_are_steady_before_clients_start_and_a_new_endpoint_redeploys_the_others(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": f"services:\n{WORKER}{API}"})
    name, cluster = unique("connect"), unique("connect")
    args = ("-p", name, "--layout", "service", "--cluster", cluster)

    first = run(capsys, "up", *args, "--timeout", "60")

    assert first.code == 0, first.out + first.err
    api, worker = _service(cluster, f"{name}-api"), _service(cluster, f"{name}-worker")
    steady = [e["createdAt"] for e in api["events"] if "steady state" in e["message"]]
    assert steady, api["events"]
    assert min(steady) <= worker["createdAt"]  # the client-only service came after
    (root / "docker-compose.yml").write_text(f"services:\n{WORKER}{API}{CACHE}")

    plan = run(capsys, "diff", *args)

    assert plan.code == 1
    assert f"update service {name}-worker (a new deployment, to resolve the new endpoint(s) of" in plan.out
    before = {s: _service(cluster, f"{name}-{s}")["deployments"][0]["id"] for s in ("api", "worker")}
    assert run(capsys, "up", *args, "--timeout", "60").code == 0
    after = {s: _service(cluster, f"{name}-{s}")["deployments"][0]["id"] for s in ("api", "worker")}
    assert all(after[s] != before[s] for s in before)
    assert run(capsys, "diff", *args).code == 0
    assert run(capsys, "down", "--all", *args).code == 0
