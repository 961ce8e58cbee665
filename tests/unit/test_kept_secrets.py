"""Compose secrets from `file:` or `environment:` kept in Secrets Manager (issue 13, item 3)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from compose2ecs.cli.plan_render import plan_json, plan_markdown
from compose2ecs.model.deployed import Action, ResourceKind
from compose2ecs.resources import plan_changes
from tests.fakes import CLUSTER, InMemoryGateway
from tests.unit.test_apply import up
from tests.unit.test_host_files import _desired

if TYPE_CHECKING:
    from pathlib import Path

    from compose2ecs.model import DesiredState

VALUE = "planted-value-9Zq"
COMPOSE = (
    "services:\n  db:\n    image: postgres:16\n    secrets: [pw, token]\n"
    "secrets:\n  pw:\n    file: ./pw.txt\n  token:\n    environment: API_TOKEN\n"
)


def _db(tmp_path: Path, value: str = VALUE) -> DesiredState:
    return _desired(tmp_path, COMPOSE, {"pw.txt": value}, env={"API_TOKEN": "tok-" + value})


def _task_definition(gateway: InMemoryGateway, desired: DesiredState) -> dict[str, Any]:
    return gateway.task_definitions[desired.task_definitions[0]["family"]][-1]


def test_up_stores_them_and_the_init_container_and_execution_role_name_their_arns(tmp_path: Path) -> None:
    gateway, desired = InMemoryGateway(), _db(tmp_path)

    up(gateway, desired)

    stored = gateway.managed_secrets
    assert {e["Value"] for e in stored.values()} == {VALUE, "tok-" + VALUE}
    arns = sorted(e["ARN"] for e in stored.values())
    files = next(
        c
        for c in _task_definition(gateway, desired)["containerDefinitions"]
        if c["name"] == "compose2ecs-files"
    )
    assert sorted(s["valueFrom"] for s in files["secrets"]) == arns
    role = gateway.roles[desired.task_definitions[0]["executionRoleArn"]]
    statements = [st for doc in role.inline.values() for st in doc["Statement"]]
    assert any(
        sorted(st["Resource"]) == arns
        for st in statements
        if st["Action"] == ["secretsmanager:GetSecretValue"]
    )
    assert repr(desired.secrets[0]).count(VALUE) == 0


def test_a_new_value_is_stored_shown_as_changed_only_and_redeploys_the_service(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    up(gateway, _db(tmp_path))
    revisions = len(gateway.task_definitions[_db(tmp_path).task_definitions[0]["family"]])

    changed = _db(tmp_path, VALUE + "-new")
    plan = plan_changes(changed, gateway.read_state(changed, CLUSTER), CLUSTER)
    secret_changes = [
        c for c in plan.resources if c.kind is ResourceKind.SECRET and c.action is Action.UPDATE
    ]
    # Even --show-values has no value to show: the plan never holds one.
    text = json.dumps(plan_json(plan, show_values=True)) + plan_markdown(plan, show_values=True)

    assert len(secret_changes) == 2
    assert VALUE not in text
    service = next(c for c in plan.resources if c.kind is ResourceKind.SERVICE)
    assert service.action is Action.UPDATE
    assert "new value" in service.reason
    up(gateway, changed)
    assert {e["Value"] for e in gateway.managed_secrets.values()} == {VALUE + "-new", "tok-" + VALUE + "-new"}
    assert len(gateway.task_definitions[changed.task_definitions[0]["family"]]) == revisions  # same ARNs


def test_a_second_up_writes_nothing_and_down_all_deletes_them(tmp_path: Path) -> None:
    from tests.unit.test_managed_volumes import _down  # noqa: PLC0415

    gateway = InMemoryGateway()
    up(gateway, _db(tmp_path))
    plan = plan_changes(_db(tmp_path), gateway.read_state(_db(tmp_path), CLUSTER), CLUSTER)
    assert all(c.action is Action.NO_CHANGE for c in plan.resources), [
        (c.kind, c.action) for c in plan.resources
    ]

    _down(gateway, _db(tmp_path), volumes=False)

    assert gateway.managed_secrets == {}


def test_an_unset_variable_is_refused_naming_it(tmp_path: Path) -> None:
    desired = _desired(tmp_path, COMPOSE, {"pw.txt": VALUE}, env={})

    problem = next(p for p in desired.problems if p.code == "secret-environment")
    assert "API_TOKEN" in problem.message


def test_ecs_params_can_ask_for_a_variable_instead_of_a_file(tmp_path: Path) -> None:
    from compose2ecs.load.ecs_params import parse_ecs_params  # noqa: PLC0415

    text = (
        "version: 1\ntask_definition:\n  services:\n    db:\n"
        "      secret_variables: {DB_PASSWORD: pw, NOPE: gone}\n"
    )
    params = parse_ecs_params(text, "ecs-params.yml", {})
    desired = _desired(tmp_path, COMPOSE, {"pw.txt": VALUE}, env={"API_TOKEN": "t"}, params=params)

    [container] = [c for c in desired.task_definitions[0]["containerDefinitions"] if c["name"] == "db"]
    assert {"name": "DB_PASSWORD", "valueFrom": "{{secret-arn:compose2ecs/shop/tutorial/pw}}"} in container[
        "secrets"
    ]
    assert "secret-variable-unknown" in {p.code for p in desired.problems}


def test_a_secret_and_the_files_no_service_reads_any_more_are_deleted_by_up(tmp_path: Path) -> None:
    from tests.unit.test_host_files import _desired as desired_of  # noqa: PLC0415

    gateway = InMemoryGateway()
    with_files = (
        "services:\n  db:\n    image: postgres:16\n    secrets: [pw]\n"
        "    configs: [{source: c, target: /etc/app/c.txt}]\n"
        "secrets:\n  pw:\n    file: ./pw.txt\nconfigs:\n  c:\n    content: x\n"
    )
    up(gateway, desired_of(tmp_path, with_files, {"pw.txt": VALUE}))
    assert gateway.managed_secrets
    assert gateway.file_parameters

    up(gateway, desired_of(tmp_path, "services:\n  db:\n    image: postgres:16\n"))

    assert gateway.managed_secrets == {}
    assert gateway.file_parameters == {}
