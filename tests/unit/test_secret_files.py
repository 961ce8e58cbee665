"""Compose secrets are files under /run/secrets, as compose delivers them (issue 13, item 3, part).

ECS injects secrets only as variables: an init container receives them and writes each file into a
task volume of the container that reads it, which mounts it read-only at /run/secrets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.unit.test_load_balancing import _desired

if TYPE_CHECKING:
    from pathlib import Path

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/db-AbCdEf"
COMPOSE = f"""
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD_FILE: /run/secrets/db_password
    secrets:
      - db_password
      - source: api
        target: /run/secrets/api.key
        mode: 0400
        uid: "999"
        gid: "999"
  worker:
    image: busybox
    secrets: [api]
secrets:
  db_password:
    external: true
    name: {ARN}
  api:
    external: true
    name: arn:aws:ssm:us-east-1:123456789012:parameter/shop/api
"""


def _containers(tmp_path: Path, compose: str = COMPOSE) -> dict[str, dict[str, Any]]:
    desired = _desired(tmp_path, compose, layout="project")
    [task] = desired.task_definitions
    return {c["name"]: c for c in task["containerDefinitions"]}


def test_an_init_container_writes_each_secret_where_compose_puts_it(tmp_path: Path) -> None:
    containers = _containers(tmp_path)

    init = containers["compose2ecs-files"]
    assert (init["essential"], init["entryPoint"]) == (False, ["sh", "-c"])
    assert [s["valueFrom"] for s in init["secrets"]] == [
        ARN,
        *(["arn:aws:ssm:us-east-1:123456789012:parameter/shop/api"] * 2),
    ]
    script = init["command"][0]
    assert "printf '%s' \"$C2E_SECRET_0\" > /compose2ecs/compose2ecs-files-db/db_password" in script
    assert "chown 999:999 /compose2ecs/compose2ecs-files-db/api.key" in script
    assert "chmod 0400 /compose2ecs/compose2ecs-files-db/api.key" in script
    assert "chmod 0444 /compose2ecs/compose2ecs-files-worker/api" in script  # compose's default
    for name in ("db", "worker"):
        app = containers[name]
        assert "secrets" not in app  # not as variables
        assert {
            "sourceVolume": f"compose2ecs-files-{name}",
            "containerPath": "/run/secrets",
            "readOnly": True,
        } in app["mountPoints"]
        assert {"containerName": "compose2ecs-files", "condition": "SUCCESS"} in app["dependsOn"]


def test_a_target_outside_run_secrets_is_refused(tmp_path: Path) -> None:
    compose = COMPOSE.replace("target: /run/secrets/api.key", "target: /etc/ssl/api.key")
    desired = _desired(tmp_path, compose, layout="project")

    [refused] = [p for p in desired.problems if p.code == "secret-target"]
    assert refused.path == ("services", "db", "secrets", 1, "target")
    assert refused.status == "rejected"


def test_the_execution_role_may_read_the_secrets_the_init_container_gets(tmp_path: Path) -> None:
    desired = _desired(tmp_path, COMPOSE, layout="project")
    [policy] = desired.roles[0].inline_policies.values()
    resources = {r for s in policy["Statement"] for r in s["Resource"]}
    assert ARN in resources
