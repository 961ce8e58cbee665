"""The execution role: its inline policy holds exactly the secrets and log groups the project uses,
and the trust policy compose2ecs writes admits ECS tasks of the caller's account only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from compose2ecs.load.role_policy import standard_trust_policy
from compose2ecs.model import TrustPolicy
from compose2ecs.resources.role import with_account
from compose2ecs.translate.iam import execution_role
from tests.fakes import ACCOUNT, InMemoryGateway
from tests.unit.test_apply import up
from tests.unit.test_load_balancing import _desired

if TYPE_CHECKING:
    from pathlib import Path

STANDARD = standard_trust_policy().document

TRUST = TrustPolicy({"Version": "2012-10-17", "Statement": []})


def _resources(
    secrets: list[str], create_groups: list[tuple[str, str]] | None = None
) -> dict[str, list[str]]:
    role = execution_role("r", "/", TRUST, "eu-west-1", secrets, create_groups or [], "own-policy")
    statements = role.inline_policies["own-policy"]["Statement"]
    return {s["Action"][0]: s["Resource"] for s in statements}


@pytest.mark.parametrize(
    ("value_from", "resource"),
    [
        # A complete ARN ends in the 6-character suffix Secrets Manager adds to the name.
        (
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbC123",
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbC123",
        ),
        # A JSON key, stage and version after the ARN select inside the same secret.
        (
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbC123:password:AWSCURRENT:",
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbC123",
        ),
        # A partial ARN never equals the real one: the policy needs AWS's `-??????` pattern.
        (
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db",
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-??????",
        ),
        (
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:registry:username::",
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:registry-??????",
        ),
    ],
)
def test_secrets_manager_resource(value_from: str, resource: str) -> None:
    assert _resources([value_from]) == {"secretsmanager:GetSecretValue": [resource]}


def test_parameters_by_arn_and_by_name_are_in_the_task_region() -> None:
    assert _resources(["arn:aws:ssm:eu-west-1:111122223333:parameter/app/key", "app/token"]) == {
        "ssm:GetParameters": [
            "arn:aws:ssm:eu-west-1:*:parameter/app/token",
            "arn:aws:ssm:eu-west-1:111122223333:parameter/app/key",
        ]
    }


def test_no_secrets_and_no_created_groups_means_no_inline_policy() -> None:
    role = execution_role("r", "/", TRUST, "eu-west-1", [], [], "own-policy")
    assert role.inline_policies == {}
    assert role.managed_policy_arns == (
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    )


def test_create_log_group_is_granted_in_the_groups_own_region() -> None:
    assert _resources([], [("/ecs/shop", "eu-west-1"), ("/ecs/audit", "us-east-1")]) == {
        "logs:CreateLogGroup": [
            "arn:aws:logs:eu-west-1:*:log-group:/ecs/shop:*",
            "arn:aws:logs:us-east-1:*:log-group:/ecs/audit:*",
        ]
    }


# ---------------------------------------------------------------------------------------------
# The trust policy compose2ecs writes (issue 17, item 2): ECS tasks of the caller's account only.


def _written_trust(tmp_path: Path, gateway: InMemoryGateway) -> dict[str, Any]:
    desired = _desired(tmp_path, "services:\n  web:\n    image: nginx\n")
    up(gateway, desired)
    return dict(gateway.roles[desired.roles[0].name].role["AssumeRolePolicyDocument"])


def test_the_written_trust_policy_names_the_callers_account(tmp_path: Path) -> None:
    gateway = InMemoryGateway()

    trust = _written_trust(tmp_path, gateway)

    [statement] = trust["Statement"]
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    written = len(gateway.writes)
    up(gateway, _desired(tmp_path, "services:\n  web:\n    image: nginx\n"))
    assert len(gateway.writes) == written  # compared with the account filled in: in sync


def test_a_trust_policy_from_the_file_is_written_as_it_is() -> None:
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
    role = execution_role("r", "/", TrustPolicy(document, file="t.json"), "eu-west-1", [], [], "p")
    assert role.trust_policy == document


def test_a_shared_role_that_trusts_ecs_tasks_gets_no_second_statement(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    theirs = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    desired = _desired(tmp_path, "services:\n  web:\n    image: nginx\n")
    gateway.create_role(desired.roles[0].name, "/", theirs, {})

    up(gateway, desired)

    assert "update_trust_policy" not in [w[0] for w in gateway.writes]
    assert gateway.roles[desired.roles[0].name].role["AssumeRolePolicyDocument"] == theirs


def test_without_the_account_the_conditions_are_left_out_not_written_wrong() -> None:
    role = execution_role("r", "/", TRUST._replace(document=STANDARD), "eu-west-1", [], [], "p")
    assert with_account(role.trust_policy, None) == STANDARD
    assert with_account(role.trust_policy, "111122223333")["Statement"][0]["Condition"]["StringEquals"] == {
        "aws:SourceAccount": "111122223333"
    }
