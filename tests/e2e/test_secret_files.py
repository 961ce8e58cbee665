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
