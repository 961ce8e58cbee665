"""Configs and read-only bind mounts carried into the task, end to end on the emulator (ECS, SSM)."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

import boto3

from tests.e2e._helpers import project, unique
from tests.e2e.test_cli_grammar import compose2ecs
from tests.emulator import writes

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from tests.emulator import Emulator

COMPOSE = (
    "services:\n  web:\n    image: nginx:1.27\n    volumes: ['./nginx.conf:/etc/nginx/nginx.conf:ro']\n"
    "    configs:\n      - source: banner\n        target: /etc/banner/motd.txt\n        mode: 0440\n"
    "configs:\n  banner:\n    content: welcome\n"
)
CONF = "events {}\nhttp { server { listen 80; } }\n"


def _parameters(prefix: str) -> dict[str, str]:
    ssm = boto3.client("ssm")
    pages = ssm.get_paginator("describe_parameters").paginate(
        ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": [prefix.rstrip("/")]}]
    )
    names = [p["Name"] for page in pages for p in page["Parameters"]]
    found = ssm.get_parameters(Names=names, WithDecryption=True)["Parameters"] if names else []
    return {p["Name"]: p["Value"] for p in found}


def test_files_reach_the_task_through_ssm_and_a_change_makes_exactly_one_revision(
    emulator: Emulator, aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": COMPOSE, "nginx.conf": CONF})
    name, cluster = unique("hf"), unique("hf")
    before = ("-p", name, "--cluster", cluster)
    prefix = f"/compose2ecs/files/{name}/{cluster}/"

    up = compose2ecs(*before, "up", cwd=root)

    assert up.returncode == 0, up.stdout + up.stderr
    stored = _parameters(prefix)
    assert sorted(base64.b64decode(v).decode() for v in stored.values()) == sorted([CONF, "welcome"])
    types = {
        p["Type"] for p in boto3.client("ssm").describe_parameters()["Parameters"] if p["Name"] in stored
    }
    assert types == {"SecureString"}
    ecs = boto3.client("ecs")
    [service] = ecs.describe_services(cluster=cluster, services=[name])["services"]
    first = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    containers = {c["name"]: c for c in first["containerDefinitions"]}
    assert sorted(s["valueFrom"] for s in containers["compose2ecs-files"]["secrets"]) == sorted(stored)
    assert containers["compose2ecs-seed-web"]["image"] == "nginx:1.27"  # keeps the image's other files
    assert containers["web"]["dependsOn"] == [{"containerName": "compose2ecs-files", "condition": "SUCCESS"}]
    mounts = {m["containerPath"]: m["readOnly"] for m in containers["web"]["mountPoints"]}
    assert mounts == {"/etc/nginx": True, "/etc/banner": True}
    assert CONF not in up.stdout + up.stderr

    emulator.calls(clear=True)
    again = compose2ecs(*before, "up", cwd=root)
    assert again.returncode == 0, again.stdout + again.stderr
    assert writes(emulator.calls()) == []

    (root / "nginx.conf").write_text(CONF.replace("80", "8080"), encoding="utf-8")
    emulator.calls(clear=True)
    changed = compose2ecs(*before, "up", cwd=root)
    assert changed.returncode == 0, changed.stdout + changed.stderr
    assert writes(emulator.calls()).count("ecs:RegisterTaskDefinition") == 1
    after = _parameters(prefix)
    assert len(after) == len(stored)  # the old file's parameter went once the service moved
    assert sorted(base64.b64decode(v).decode() for v in after.values()) == sorted(
        [CONF.replace("80", "8080"), "welcome"]
    )

    down = compose2ecs(*before, "down", "--all", cwd=root)
    assert down.returncode == 0, down.stdout + down.stderr
    assert _parameters(prefix) == {}
