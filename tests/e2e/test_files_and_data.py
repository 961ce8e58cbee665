"""Issue 13's lifecycle on the emulator: a database's volume, an nginx config, configs and a file secret.

postgres keeps its data on the project's EFS file system and reads its password from
/run/secrets (POSTGRES_PASSWORD_FILE); nginx gets a bind-mounted nginx.conf and a `configs:` entry.
Every output of every command is scanned for the secret's value.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import boto3

from tests.e2e._helpers import project, unique
from tests.e2e.test_cli_grammar import compose2ecs
from tests.emulator import writes

if TYPE_CHECKING:
    import subprocess
    from pathlib import Path

    import pytest

    from tests.emulator import Emulator

SECRET = "planted-db-password-7Q2x"  # noqa: S105 - the value the scan looks for
COMPOSE = """\
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD_FILE: /run/secrets/db_password
    secrets: [db_password]
    volumes: ["db-data:/var/lib/postgresql/data"]
  web:
    image: nginx:1.27
    ports: ["8080:80"]
    volumes: ["./nginx.conf:/etc/nginx/nginx.conf:ro"]
    configs:
      - source: site
        target: /usr/share/nginx/html/index.html
secrets:
  db_password:
    file: ./db_password.txt
configs:
  site:
    content: "<h1>hello</h1>"
volumes:
  db-data: {}
"""
CONF = "events {}\nhttp { server { listen 80; } }\n"


def _token(name: str, cluster: str) -> str:
    return f"compose2ecs/{name}/{cluster}/us-east-1"


def _file_system(token: str) -> dict[str, object] | None:
    found = boto3.client("efs").describe_file_systems(CreationToken=token)["FileSystems"]
    return dict(found[0]) if found else None


def test_the_issue_13_lifecycle_and_no_output_holds_the_secret(
    emulator: Emulator, aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files: dict[str, str | bytes] = {
        "docker-compose.yml": COMPOSE,
        "nginx.conf": CONF,
        "db_password.txt": SECRET,
    }
    root = project(tmp_path, monkeypatch, files)
    name, cluster = unique("i13"), unique("i13")
    before = ("-p", name, "--cluster", cluster)
    outputs: list[subprocess.CompletedProcess[str]] = []

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        result = compose2ecs(*before, *args, cwd=root)
        outputs.append(result)
        return result

    for fmt in ("text", "json", "markdown"):
        assert run("diff", "-o", fmt).returncode in {0, 1}
    assert run("convert").returncode == 0
    assert run("convert", "-o", "json").returncode == 0
    up = run("up")
    assert up.returncode == 0, up.stdout + up.stderr

    ecs = boto3.client("ecs")
    services = {
        s["serviceName"]: s for s in ecs.describe_services(cluster=cluster, services=[name])["services"]
    }
    definition = ecs.describe_task_definition(taskDefinition=services[name]["taskDefinition"])[
        "taskDefinition"
    ]
    containers = {c["name"]: c for c in definition["containerDefinitions"]}
    # The secret: in Secrets Manager, read by the init container, a file for postgres.
    arn = boto3.client("secretsmanager").describe_secret(
        SecretId=f"compose2ecs/{name}/{cluster}/db_password"
    )["ARN"]
    assert {"name": "C2E_SECRET_0", "valueFrom": arn} in containers["compose2ecs-files"]["secrets"]
    assert {
        "sourceVolume": "compose2ecs-files-db",
        "containerPath": "/run/secrets",
        "readOnly": True,
    } in containers["db"]["mountPoints"]
    for app in ("db", "web"):
        assert {"containerName": "compose2ecs-files", "condition": "SUCCESS"} in containers[app]["dependsOn"]
    # The volume: EFS with its access point and mount targets.
    file_system = _file_system(_token(name, cluster))
    assert file_system is not None
    efs_volume = next(v for v in definition["volumes"] if "efsVolumeConfiguration" in v)
    assert efs_volume["efsVolumeConfiguration"]["fileSystemId"] == file_system["FileSystemId"]
    assert boto3.client("efs").describe_mount_targets(FileSystemId=str(file_system["FileSystemId"]))[
        "MountTargets"
    ]
    # nginx.conf and the config: through the init container, the image's directory seeded.
    assert "compose2ecs-seed-web" in containers
    web_mounts = {m["containerPath"] for m in containers["web"]["mountPoints"]}
    assert {"/etc/nginx", "/usr/share/nginx/html"} <= web_mounts

    emulator.calls(clear=True)
    again = run("up")
    assert again.returncode == 0, again.stdout + again.stderr
    assert writes(emulator.calls()) == []
    assert run("diff").returncode == 0

    (root / "nginx.conf").write_text(CONF.replace("80", "81"), encoding="utf-8")
    (root / "db_password.txt").write_text(SECRET + "-rotated", encoding="utf-8")
    diff = run("diff", "-o", "json")
    assert diff.returncode == 1
    assert "value" in diff.stdout
    emulator.calls(clear=True)
    changed = run("up")
    assert changed.returncode == 0, changed.stdout + changed.stderr
    assert writes(emulator.calls()).count("ecs:RegisterTaskDefinition") == 1
    stored = boto3.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
    assert stored == SECRET + "-rotated"

    assert run("ps").returncode == 0
    down = run("down", "--all")
    assert down.returncode == 0, down.stdout + down.stderr
    assert _file_system(_token(name, cluster)) is not None
    gone = run("down", "--all", "--volumes")
    assert gone.returncode == 0, gone.stdout + gone.stderr
    assert _file_system(_token(name, cluster)) is None

    for result in outputs:
        text = result.stdout + result.stderr
        assert SECRET not in text, " ".join(result.args)
    json.loads(outputs[1].stdout)  # the JSON diff is JSON
