"""A compose secret from AWS as a file under /run/secrets, on the emulator (ECS and Secrets Manager)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3

from tests.e2e._helpers import project, unique
from tests.e2e.test_cli_grammar import compose2ecs
from tests.emulator import writes

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from tests.emulator import Emulator


def test_the_secret_file_is_written_by_the_init_container_and_a_second_up_writes_nothing(
    emulator: Emulator, aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    arn = boto3.client("secretsmanager").create_secret(Name=unique("db"), SecretString="planted-value")["ARN"]
    compose = (
        "services:\n  db:\n    image: postgres:16\n    environment:\n"
        "      POSTGRES_PASSWORD_FILE: /run/secrets/db_password\n    secrets: [db_password]\n"
        f"secrets:\n  db_password:\n    external: true\n    name: {arn}\n"
    )
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": compose})
    name, cluster = unique("sf"), unique("sf")
    before = ("-p", name, "--cluster", cluster)

    up = compose2ecs(*before, "up", cwd=root)

    assert up.returncode == 0, up.stdout + up.stderr
    assert "planted-value" not in up.stdout + up.stderr
    ecs = boto3.client("ecs")
    [service] = ecs.describe_services(cluster=cluster, services=[name])["services"]
    definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    containers = {c["name"]: c for c in definition["containerDefinitions"]}
    assert [s["valueFrom"] for s in containers["compose2ecs-files"]["secrets"]] == [arn]
    assert containers["db"]["dependsOn"] == [{"containerName": "compose2ecs-files", "condition": "SUCCESS"}]
    emulator.calls(clear=True)
    again = compose2ecs(*before, "up", cwd=root)
    assert again.returncode == 0, again.stdout + again.stderr
    assert writes(emulator.calls()) == []
    assert compose2ecs(*before, "down", "--all", cwd=root).returncode == 0


def test_an_external_secret_given_by_name_is_found_by_its_name_and_a_missing_one_stops_before_any_write(
    emulator: Emulator, aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = unique("by-name")
    arn = boto3.client("secretsmanager").create_secret(Name=secret, SecretString="planted-value")["ARN"]
    compose = (
        "services:\n  app:\n    image: nginx\n    secrets: [token]\n"
        f"secrets:\n  token:\n    external: true\n    name: {secret}\n"
    )
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": compose})
    name, cluster = unique("sn"), unique("sn")
    before = ("-p", name, "--cluster", cluster)

    up = compose2ecs(*before, "up", cwd=root)

    assert up.returncode == 0, up.stdout + up.stderr
    ecs = boto3.client("ecs")
    [service] = ecs.describe_services(cluster=cluster, services=[name])["services"]
    definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    files = next(c for c in definition["containerDefinitions"] if c["name"] == "compose2ecs-files")
    assert [s["valueFrom"] for s in files["secrets"]] == [arn]
    emulator.calls(clear=True)
    assert compose2ecs(*before, "up", cwd=root).returncode == 0
    assert writes(emulator.calls()) == []
    assert compose2ecs(*before, "down", "--all", cwd=root).returncode == 0

    (root / "docker-compose.yml").write_text(compose.replace(secret, secret + "-gone"), encoding="utf-8")
    emulator.calls(clear=True)
    missing = compose2ecs(*before, "up", cwd=root)
    assert missing.returncode == 2, missing.stdout + missing.stderr
    assert f"{secret}-gone does not exist" in missing.stdout + missing.stderr
    assert writes(emulator.calls()) == []
